/**
 * What a failed write says about the place written to, in words, for the errors a user's machine causes;
 * null for any other failure. Node's own messages ("ENOSPC: no space left on device, write") name no path
 * when the write went through a file descriptor.
 */
export function storageReason(error: unknown): string | null {
  const code = (error as NodeJS.ErrnoException)?.code;
  switch (code) {
    case 'ENOSPC':
      return 'the disk is full (ENOSPC)';
    case 'EDQUOT':
      return 'the disk quota is used up (EDQUOT)';
    case 'EROFS':
      return 'the disk is read-only (EROFS)';
    case 'EACCES':
    case 'EPERM':
      return `this user may not write there (${code})`;
    case 'EIO':
      return 'the disk reported an input/output error (EIO)';
    case 'EMFILE':
    case 'ENFILE':
      return `too many files are open (${code})`;
    default:
      return null;
  }
}
