// The one door to the server: api(method, path, body). Paths are literals with ${…} for ids, so a test can
// read every path and method out of these files and check it against the app's router.

import { label } from "./labels.js";

export class ApiError extends Error {
  constructor(status, code, message, details) {
    super(message);
    this.status = status;
    this.code = code;
    this.details = details || {};
  }
}

let unauthorized = () => {};

/** What to do when a session ends (401 from any call but the login itself). */
export function onUnauthorized(handler) {
  unauthorized = handler;
}

/** A query string from an object; empty values are left out. */
export function query(params) {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value !== undefined && value !== null && value !== "") search.set(key, String(value));
  }
  return search.toString();
}

async function bodyOf(response) {
  try {
    return await response.json();
  } catch (_error) {
    return null;
  }
}

/** Send one request; JSON in, JSON out; a non-2xx answer is thrown as ApiError {status, code, message}. */
export async function api(method, path, body) {
  const init = { method, headers: { Accept: "application/json" }, credentials: "same-origin" };
  if (body !== undefined) {
    init.headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  let response;
  try {
    response = await fetch(path, init);
  } catch (_error) {
    throw new ApiError(0, "network", "network error");
  }
  const data = await bodyOf(response);
  if (response.ok) return data;
  const error = new ApiError(
    response.status,
    (data && data.code) || `http_${response.status}`,
    (data && data.message) || response.statusText,
    data && data.details,
  );
  if (response.status === 401 && !path.endsWith("/login")) unauthorized();
  throw error;
}

/** "30 秒" or "15 分钟": how long to wait before trying again. */
export function waitText(seconds) {
  return seconds >= 90 ? `${Math.ceil(seconds / 60)} 分钟` : `${seconds} 秒`;
}

/** The text shown next to a form: the Chinese meaning of the code and the server's own message. */
export function errorText(error) {
  if (!(error instanceof ApiError)) return `出错了：${error && error.message ? error.message : error}`;
  const meaning = label("error", error.code);
  const details = error.details || {};
  if (error.code === "weak_password" && details.reason) return `${meaning}：${label("password_reason", details.reason)}`;
  if (details.retry_after) return `${meaning}，请 ${waitText(details.retry_after)}后再试`;
  const field = error.details && error.details.field ? `（字段 ${error.details.field}）` : "";
  return meaning === error.code ? `${error.message}${field}` : `${meaning}${field}：${error.message}`;
}
