import { createHttpClient, type HttpClientFactory } from "../../src/http/client.js";
import { ContractChecker } from "./openapi.js";

export interface ContractHttp {
  /** Put in front of the HTTP layer (`deps.http`, or ApiClientOptions.http). */
  http: HttpClientFactory;
  /** Every difference from docs/admin-api.openapi.yaml seen so far, request and answer. */
  problems: string[];
  /** How many exchanges were checked (so a test can tell the check ran). */
  checked: () => number;
  /** Each admin API request made, as `METHOD url`, in order. */
  requests: string[];
}

/**
 * The real HTTP layer, with every admin API exchange held against the document: the client's
 * request (route, query, body) and the server's answer (status, body). Exchanges with anything but
 * an `/api/` URL (a webhook receiver, say) pass unchecked.
 */
export function contractHttp(checker = new ContractChecker(), inner: HttpClientFactory = createHttpClient): ContractHttp {
  const problems: string[] = [];
  const requests: string[] = [];
  let count = 0;
  const http: HttpClientFactory = (options) => {
    const client = inner(options);
    return {
      ...client,
      ready: () => client.ready(),
      close: () => client.close(),
      destroy: () => client.destroy(),
      async request(url, request) {
        const answer = await client.request(url, request);
        const href = String(url);
        if (!new URL(href).pathname.startsWith("/api/")) return answer;
        count++;
        const method = request.method ?? "GET";
        requests.push(`${method} ${href}`);
        const text = answer.body.toString("utf8");
        let responseBody: unknown;
        try {
          responseBody = text === "" ? undefined : JSON.parse(text);
        } catch {
          responseBody = text;
        }
        const requestBody = request.body === undefined ? undefined : JSON.parse(String(request.body));
        problems.push(
          ...checker.check({ method, url: href, requestBody, status: answer.status, responseBody, responseHeaders: answer.headers }),
        );
        return answer;
      },
    };
  };
  return { http, problems, checked: () => count, requests };
}
