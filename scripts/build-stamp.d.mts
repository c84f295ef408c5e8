/** Where the build records what the CLI bundle was made from, relative to the project folder. */
export const STAMP: string;
/** Every input of the build as [path, size, mtimeMs], sorted by path. */
export function sourceListing(folder: string): [path: string, size: number, mtimeMs: number][];
/** Records, of `listing` (taken before the build), the bundle's `inputs` and the files every output depends on. */
export function writeStamp(folder: string, listing: [string, number, number][], inputs: string[]): void;
/** True when every file the bundle was built from is as the build saw it. */
export function buildIsCurrent(folder: string): boolean;
