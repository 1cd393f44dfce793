// Shared by the stand-alone staff pages (wallboard, missed calls, staffing): the login form's submit.
// A classic script loaded before the page's own script; it defines two functions and touches nothing else.
"use strict";

/** The Chinese reason a login was refused, from the API's {code, details}. */
function loginRefusal(status, body) {
  const code = body && body.code;
  const wait = body && body.details && body.details.retry_after;
  const later = wait ? `，请 ${wait >= 90 ? `${Math.ceil(wait / 60)} 分钟` : `${wait} 秒`}后再试` : "，请稍后再试";
  if (code === "login_locked") return `该账号在本机连续输错密码次数过多，已暂时锁定${later}（或请管理员解除）`;
  if (code === "too_many_attempts" || status === 429) return `尝试过于频繁${later}`;
  if (code === "invalid_input") return "用户名或密码格式不正确";
  return "用户名或密码错误";
}

/** Sends the login form; on failure calls showLogin(message), on success start(). */
async function submitLogin(event, showLogin, start) {
  event.preventDefault();
  const fields = event.target.elements;
  const password = fields.namedItem("password");
  const body = JSON.stringify({ login: fields.namedItem("login").value.trim(), password: password.value });
  let response;
  try {
    response = await fetch("/api/login", { method: "POST", headers: { "Content-Type": "application/json" }, body, credentials: "same-origin" });
  } catch { showLogin("网络连接失败"); return; }
  password.value = "";
  const answer = await response.json().catch(() => null);
  if (!response.ok) { showLogin(loginRefusal(response.status, answer)); return; }
  if (answer && answer.must_change_password) { showLogin("请先在坐席工作台（首页）修改密码，再打开此页面"); return; }
  start();
}
