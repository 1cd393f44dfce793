// 实时转写: the live transcript of the call at the agent's seat, from GET /api/calls/{id}/live (SSE), and the
// knowledge base's answers (知识库) for what the citizen has asked so far (POST /api/knowledge/suggest).
// Closed segments (final) stay; the open stretch of each side (partial) is shown greyed and replaced as it
// changes. The last call's transcript stays visible after hangup, for registering the work order, until the
// next call starts. Everything from the server goes through textContent (dom.js).

import { api } from "./api.js";
import { fill, h } from "./dom.js";
import { knowledgeFor, knowledgeList } from "./knowledge.js";
import { label } from "./labels.js";

const KNOWLEDGE_DELAY_MS = 1200; // after the last closed sentence, then ask once

export function livePanel() {
  const root = h("section", { class: "live-panel", "aria-label": "实时转写", hidden: true });
  const title = h("span", { class: "live-title", text: "实时转写" });
  const status = h("span", { class: "live-status", role: "status" });
  const lines = h("ol", { class: "live-lines" });
  const answers = h("div", { class: "live-answers", "aria-label": "知识库参考" });
  const partials = new Map(); // speaker → the <li> of the open stretch
  const state = { callId: null, source: null, callerText: "", asking: null, asked: "" };
  root.append(h("header", {}, title, status), lines, answers);

  function askKnowledge() {
    clearTimeout(state.asking);
    state.asking = setTimeout(async () => {
      const text = state.callerText;
      if (!text || text === state.asked) return;
      state.asked = text;
      let items = [];
      try { items = await knowledgeFor(text, 3); } catch (error) { items = []; }
      if (state.asked !== text) return; // a newer question was asked meanwhile
      fill(answers, [knowledgeList(items)]);
    }, KNOWLEDGE_DELAY_MS);
  }

  function line(event) {
    return h("li", { class: `live-line speaker-${event.speaker} ${event.kind}` },
      h("span", { class: "live-speaker", text: label("speaker", event.speaker) }),
      h("span", { class: "live-text", text: event.text }));
  }

  function show(event) {
    const open = partials.get(event.speaker);
    if (event.kind === "partial") {
      const node = line(event);
      if (open) open.replaceWith(node); else lines.append(node);
      partials.set(event.speaker, node);
    } else {
      if (open) { open.replaceWith(line(event)); partials.delete(event.speaker); } else lines.append(line(event));
      if (event.speaker === "caller") { state.callerText += event.text; askKnowledge(); }
    }
    lines.scrollTop = lines.scrollHeight;
  }

  function close() {
    if (state.source) state.source.close();
    state.source = null;
  }

  function follow(callId) {
    if (callId === state.callId && state.source) return;
    close();
    state.callId = callId;
    state.callerText = "";
    state.asked = "";
    partials.clear();
    fill(lines, []);
    fill(answers, []);
    root.hidden = false;
    status.textContent = "通话中…";
    const source = new EventSource(`/api/calls/${encodeURIComponent(callId)}/live`);
    for (const kind of ["partial", "final"]) {
      source.addEventListener(kind, (message) => {
        try { show(JSON.parse(message.data)); } catch (error) { /* a malformed event is skipped */ }
      });
    }
    source.onerror = () => { status.textContent = "转写连接中断，正在重连…"; };
    source.onopen = () => { status.textContent = "通话中…"; };
    state.source = source;
  }

  /** Called with the seat's state after every poll: follow the call while the seat is on one. */
  async function update(seatState) {
    if (!seatState || seatState.activity !== "on_call") {
      if (state.source) { close(); status.textContent = "通话已结束"; }
      return;
    }
    try {
      const { call } = await api("GET", "/api/agent/call");
      if (call) follow(call.call_id);
    } catch (error) {
      status.textContent = "无法获取当前通话";
    }
  }

  return { root, update, stop: close, lines };
}
