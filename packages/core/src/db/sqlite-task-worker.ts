/** Worker-thread entry for runSqliteTask: performs one SqliteTask per request, in order. */
import { serveWorkerRequests } from '../worker/worker-client.ts';
import { performSqliteTask, type SqliteTask } from './sqlite-task.ts';

serveWorkerRequests<SqliteTask>(performSqliteTask);
