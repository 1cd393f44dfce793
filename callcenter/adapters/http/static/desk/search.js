// 工单查询: search by text, status, caller number, category; the orders of one 并单; the whole order.

import { api, errorText } from "./api.js";
import { categoryInput, categoryLabel } from "./catalogue.js";
import { codeOf, empty, field, fill, h, select, when } from "./dom.js";
import { options } from "./labels.js";
import { actionForm, button, loadOrder, orderDetail, orderList, statusTag, submit } from "./order.js";

const PAGE = 50;

export function searchView() {
  const q = h("input", { name: "q", placeholder: "诉求内容或摘要中的文字" });
  const status = select("status", options("status"), "", "全部状态");
  const caller = h("input", { name: "caller", placeholder: "来电号码" });
  const category = categoryInput("category", "");
  const matter = h("input", { name: "matter", placeholder: "并单号", inputmode: "numeric" });
  const results = h("div");
  const form = h("form", { class: "filters" }, field("关键词", q), field("状态", status), field("来电号码", caller),
    field("诉求分类", category), field("并单号", matter), h("button", { type: "submit", class: "primary", text: "查询" }));
  const list = h("div", { class: "list-pane" }, form, results);
  const work = h("div", { class: "work-pane" }, empty("选择一张工单查看详情"));
  const root = h("div", { class: "workbench wide-detail" }, list, work);
  let offset = 0;
  let selectedId = null;

  async function open(id) {
    selectedId = Number(id);
    work.replaceChildren(empty("加载中…"));
    try {
      const order = await loadOrder(id);
      fill(work, [orderDetail(order), order.matter_id ? unlinkForm(order) : null]);
    } catch (error) {
      work.replaceChildren(empty(errorText(error)));
    }
  }

  /** 解除并单: a wrong merge undone (POST …/matter/unlink). */
  function unlinkForm(order) {
    const { form, msg } = actionForm(`并单 #${order.matter_id}`, [h("p", { class: "muted", text: "若本工单与该并单不是同一诉求，可解除并单。" })], [
      button("查看同一并单的工单", () => { location.hash = `search?matter=${order.matter_id}`; }),
      button("解除并单", () => submit(msg, null, () => api("POST", `/api/workorders/${order.id}/matter/unlink`, {}),
        () => open(order.id), "已解除并单"), "danger"),
    ]);
    return form;
  }

  /** The orders of one matter (GET /api/matters/{id}). */
  async function showMatter(id) {
    try {
      const m = await api("GET", `/api/matters/${id}`);
      fill(results, [h("h3", { text: `并单 #${m.id}：${m.ticket_count} 张工单，${m.caller_count} 位来电人` }),
        h("p", { class: "muted", text: `${categoryLabel(m.category_code)} · 区域 ${m.area_code || "—"} · ${when(m.opened_at)} 至 ${when(m.last_seen_at)}${m.escalated_at ? ` · ${when(m.escalated_at)} 已升级督办` : ""}` }),
        h("ul", { class: "order-list" }, m.tickets.map((t) => h("li", { class: "order-row", tabindex: "0", on: { click: () => open(t.ticket_id) } },
          h("div", { class: "row-head" }, h("strong", { text: `#${t.ticket_id}` }), statusTag(t.status)),
          h("div", { class: "row-summary", text: t.summary }),
          h("div", { class: "muted", text: `${t.caller_number} · ${when(t.created_at)}` })))),
        button("返回查询", () => { matter.value = ""; refresh(); })]);
    } catch (error) {
      results.replaceChildren(empty(errorText(error)));
    }
  }

  async function refresh() {
    if (/^\d+$/.test(matter.value.trim())) return showMatter(matter.value.trim());
    const params = { q: q.value.trim(), status: status.value, caller: caller.value.trim(), category: codeOf(category), limit: PAGE, offset };
    try {
      const data = await api("POST", "/api/workorders/search", params);  // a number or words never in a URL
      fill(results, [h("h3", { text: `查询结果（${data.items.length}）` }),
        orderList(data.items, (o) => open(o.id), selectedId, "没有符合条件的工单"),
        h("div", { class: "pager" },
          h("button", { type: "button", text: "上一页", disabled: offset === 0, on: { click: () => { offset = Math.max(0, offset - PAGE); refresh(); } } }),
          h("button", { type: "button", text: "下一页", disabled: data.items.length < PAGE, on: { click: () => { offset += PAGE; refresh(); } } }))]);
    } catch (error) {
      results.replaceChildren(empty(errorText(error)));
    }
  }
  form.addEventListener("submit", (event) => { event.preventDefault(); offset = 0; refresh(); });

  /** "#search?matter=12" from a 并单 link; "#order/12" from elsewhere. */
  function route(params) {
    if (params.matter) { matter.value = params.matter; offset = 0; }
    if (params.id) open(params.id);
  }
  return { root, refresh, route, open };
}
