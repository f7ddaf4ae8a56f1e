/**
 * The login limit against a client that does not play along, over real HTTP on loopback: one
 * batched request with 150 passwords, and 50 separate requests in parallel.
 */
import { hashPassword } from '@evidence-locker/core';
import { describe, expect, it } from 'vitest';
import { listenTestApp } from '@evidence-locker/server/testing/serve-test-app';

const PASSWORD = 'correct horse battery';

/** A listening server on loopback with an admin password; its URL and the log lines. */
async function listen() {
  return listenTestApp({ config: { modem_type: 'fritzbox', admin_password: await hashPassword(PASSWORD) } });
}

const passwordChecks = (logLines: Array<Record<string, unknown>>): number =>
  logLines.filter((line) => line['audit'] === 'login.refused' && line['reason'] === 'wrong password').length;

function batchedLogin(url: string, passwords: string[]): Promise<Response> {
  const paths = passwords.map(() => 'auth.login').join(',');
  const body = Object.fromEntries(passwords.map((password, index) => [String(index), { password }]));
  return fetch(`${url}/trpc/${paths}?batch=1`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
}

describe('the login limit over HTTP', () => {
  it('refuses one request that batches 150 logins with 400, before any password is checked', async () => {
    const { url, logLines } = await listen();
    const passwords = [...Array.from({ length: 149 }, (_, i) => `guess ${i}`), PASSWORD];
    const response = await batchedLogin(url, passwords);
    expect(response.status).toBe(400);
    expect(response.headers.get('set-cookie')).toBeNull();
    const answers = (await response.json()) as Array<{ error?: { message: string; data: { code: string } } }>;
    expect(answers).toHaveLength(150);
    expect(answers.every((answer) => answer.error?.data.code === 'BAD_REQUEST')).toBe(true);
    expect(answers[0]?.error?.message).toBe('A request may call auth.login only once; send one login at a time.');
    expect(passwordChecks(logLines)).toBe(0);
    expect(logLines).toContainEqual(expect.objectContaining({ audit: 'login.refused', reason: 'batch', calls: 150 }));
    // Two are as many as 150; the budget of the address is untouched, so the owner can log in.
    expect((await batchedLogin(url, ['guess', PASSWORD])).status).toBe(400);
    const single = await fetch(`${url}/trpc/auth.login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ password: PASSWORD }),
    });
    expect(single.status).toBe(200);
    expect(single.headers.get('set-cookie')).toMatch(/^el_session=/);
  });

  it('still runs a batch with one login, alone or beside another call', async () => {
    const { url } = await listen();
    const one = await batchedLogin(url, [PASSWORD]);
    expect(one.status).toBe(200);
    expect(one.headers.get('set-cookie')).toMatch(/^el_session=/);
    const mixed = await fetch(`${url}/trpc/auth.login,auth.logout?batch=1`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ 0: { password: PASSWORD } }),
    });
    expect(mixed.status).toBe(200);
    expect(await mixed.json()).toEqual([{ result: { data: { authenticated: true } } }, { result: { data: { authenticated: false } } }]);
  });

  it('checks at most 5 passwords of 50 separate requests sent in parallel', async () => {
    const { url, logLines } = await listen();
    const responses = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        fetch(`${url}/trpc/auth.login`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ password: i === 49 ? PASSWORD : `guess ${i}` }),
        }),
      ),
    );
    expect(passwordChecks(logLines)).toBeLessThanOrEqual(5);
    const statuses = responses.map((response) => response.status);
    expect(statuses.filter((status) => status === 200)).toEqual([]);
    expect(statuses.filter((status) => status === 429).length).toBeGreaterThanOrEqual(45);
    expect(responses.every((response) => response.headers.get('set-cookie') === null)).toBe(true);
  });
});
