// 坐席状态栏: 签入 (seat + skills), 示忙 with a reason, 示闲, 签出, and the seat's live state with a timer.
// The state comes from GET /api/agent/session (Asterisk's view, published through Redis), polled every
// few seconds and after each action. Everything from the server goes through textContent (dom.js).

import { api, errorText } from "./api.js";
import { fill, h, select } from "./dom.js";
import { label, options } from "./labels.js";
import { livePanel } from "./live.js";

const POLL_MS = 3000;
const SEAT_ROLES = ["agent", "supervisor", "admin"];

function elapsed(since, now) {
  const seconds = Math.max(0, Math.floor((now - new Date(since).getTime()) / 1000));
  const mm = String(Math.floor(seconds / 60) % 60).padStart(2, "0");
  const ss = String(seconds % 60).padStart(2, "0");
  const hours = Math.floor(seconds / 3600);
  return hours ? `${hours}:${mm}:${ss}` : `${mm}:${ss}`;
}

function stateText(state) {
  if (!state) return "状态同步中…";
  const activity = label("activity", state.activity);
  const reason = state.pause_reason && state.activity !== "wrap_up" ? `（${label("pause_reason", state.pause_reason)}）` : "";
  return `${activity}${reason}`;
}

export function seatBar(me) {
  const root = h("section", { class: "seatbar", "aria-label": "坐席状态" });
  if (!SEAT_ROLES.includes(me.role)) return { root, stop() {} };
  const bar = { session: null, busy: false, timer: null, poll: null };
  const live = livePanel();
  const msg = h("span", { class: "seat-message", role: "status" });
  const clock = h("span", { class: "seat-timer" });

  async function run(action) {
    if (bar.busy) return;
    bar.busy = true;
    msg.textContent = "";
    try {
      bar.session = await action();
    } catch (error) {
      msg.textContent = errorText(error);
    } finally {
      bar.busy = false;
      render();
    }
  }

  function loginForm() {
    const seat = h("input", { name: "seat", placeholder: "分机号，如 agent1001", maxLength: 40, autocomplete: "off" });
    const skills = options("skill").map(([value, text]) => h("label", { class: "seat-skill" },
      h("input", { type: "checkbox", name: "skill", value }), text));
    const submit = (event) => {
      event.preventDefault();
      const chosen = skills.map((node) => node.querySelector("input")).filter((box) => box.checked).map((box) => box.value);
      run(() => api("POST", "/api/agent/session", { seat: seat.value.trim(), skills: chosen }));
    };
    return h("form", { class: "seat-form", on: { submit } },
      h("span", { class: "seat-title", text: "坐席未签入" }), seat, skills,
      h("button", { type: "submit", class: "primary", text: "签入" }));
  }

  function controls(session) {
    const state = session.seat_state;
    const paused = state && (state.activity === "paused" || state.activity === "wrap_up");
    const reason = select("reason", options("pause_reason").filter(([code]) => code !== "acw"), "break");
    const skills = session.skills.length ? session.skills.map((s) => label("skill", s)).join("、") : "普通话";
    return [
      h("span", { class: "seat-title" }, "坐席 ", h("strong", { text: session.seat.replace(/^PJSIP\//, "") }), `（${skills}）`),
      h("span", { class: `seat-state activity-${state ? state.activity : "unknown"}`, text: stateText(state) }),
      clock,
      reason,
      h("button", { type: "button", text: "示忙", on: { click: () => run(() => api("POST", "/api/agent/session/pause", { reason: reason.value })) } }),
      h("button", { type: "button", text: "示闲", disabled: !paused, on: { click: () => run(() => api("POST", "/api/agent/session/resume", {})) } }),
      h("button", { type: "button", class: "danger", text: "签出", on: { click: () => run(() => api("DELETE", "/api/agent/session")) } }),
    ];
  }

  function tick() {
    const state = bar.session && bar.session.seat_state;
    clock.textContent = state ? elapsed(state.since, Date.now()) : "";
  }

  function render() {
    const session = bar.session;
    fill(root, [session && session.logged_in ? controls(session) : loginForm(), msg, live.root]);
    tick();
    live.update(session && session.logged_in ? session.seat_state : null);
  }

  async function refresh() {
    if (bar.busy) return;
    try {
      const before = JSON.stringify(bar.session);
      bar.session = await api("GET", "/api/agent/session");
      if (JSON.stringify(bar.session) !== before) render();
    } catch (error) {
      msg.textContent = errorText(error);
    }
  }

  render();
  refresh();
  bar.poll = setInterval(refresh, POLL_MS);
  bar.timer = setInterval(tick, 1000);
  return {
    root,
    stop() {
      clearInterval(bar.poll);
      clearInterval(bar.timer);
      live.stop();
    },
  };
}
