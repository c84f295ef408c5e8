// Named points in the backup and restore sequences where the crash tests kill the process
// (test/ops/): ULTRA_CRASH_AT=<name> makes that point SIGKILL its own process, exactly there.
// Unset (always, outside those tests), a point costs one comparison.
export function crashPoint(name: string): void {
  if (process.env.ULTRA_CRASH_AT === name) process.kill(process.pid, 'SIGKILL');
}
