import { hostname } from 'node:os';

/**
 * `<app>-<host>-<pid>`: names this process wherever other processes see it (its NATS connection, a lease it holds,
 * `/api/v1/status`, requests it makes), so a log line or a lock can be traced back to one process.
 */
export function instanceName(app: string): string {
  return `${app}-${hostname()}-${process.pid}`;
}
