/**
 * When the last fresh backup download (GET /api/backups/download) was handed over in full: a copy
 * the user holds, which the dashboard counts like a backup in the backup directory. Kept in memory
 * only (a restart forgets it; the backup directory's archives are what lasts).
 */
export class BackupDownloads {
  #lastFinishedAt: Date | null = null;

  /** Notes a download whose every byte reached the client. */
  noteFinished(at: Date): void {
    if (this.#lastFinishedAt === null || at > this.#lastFinishedAt) this.#lastFinishedAt = at;
  }

  /** When the last complete download finished; null when none since the server started. */
  get lastFinishedAt(): Date | null {
    return this.#lastFinishedAt;
  }
}
