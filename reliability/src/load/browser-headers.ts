/**
 * The headers a same-origin `fetch` of the web app carries (`Referer`, `Sec-Fetch-Site:
 * same-origin`; with a POST also `Origin`, which the harness's client adds), so the server's
 * cross-origin guard sees under load what it would see from the real app.
 */

/** The headers Chromium sends with the web app's tRPC GET requests. */
export function browserHeaders(baseUrl: string): Record<string, string> {
  return {
    accept: '*/*',
    referer: `${baseUrl}/settings`,
    'sec-fetch-site': 'same-origin',
    'sec-fetch-mode': 'cors',
    'sec-fetch-dest': 'empty',
    'user-agent': 'Mozilla/5.0 (X11; Linux x86_64) evidence-locker-reliability',
  };
}
