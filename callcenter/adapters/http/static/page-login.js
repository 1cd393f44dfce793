// Shared by the stand-alone staff pages (wallboard, callbacks, staffing): the login form's submit.
// A classic script loaded before the page's own script; it defines one function and touches nothing else.
"use strict";

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
  if (!response.ok) { showLogin("用户名或密码错误，或尝试次数过多，请稍后再试"); return; }
  start();
}
