/** Where the build records what it compiled, relative to the project folder. */
export const STAMP: string;
/** One line per input file of the build, sorted: `path size mtimeMs`. */
export function sourceListing(folder: string): string[];
/** Records `listing` (taken before the build read the sources) as what dist/ was built from. */
export function writeStamp(folder: string, listing: string[]): void;
/** True when dist/ was built from exactly the files there are now. */
export function buildIsCurrent(folder: string): boolean;
