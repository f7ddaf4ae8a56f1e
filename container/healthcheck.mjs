// The image's HEALTHCHECK (the slim image has no curl): healthy when GET /api/health on this
// container's port answers `{"status":"ok"}` within 4 s. Exit code 0 healthy, 1 not.
const port = process.env.PORT || '8765';
try {
  const response = await fetch(`http://127.0.0.1:${port}/api/health`, { signal: AbortSignal.timeout(4000) });
  const body = await response.json();
  if (response.ok && body?.status === 'ok') process.exit(0);
  console.error(`unhealthy: /api/health answered ${response.status} ${JSON.stringify(body)}`);
} catch (error) {
  console.error(`unhealthy: /api/health did not answer (${error instanceof Error ? error.message : String(error)})`);
}
process.exit(1);
