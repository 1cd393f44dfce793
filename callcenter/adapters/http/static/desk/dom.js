// DOM helpers. Text from the server only ever goes through textContent or .value: never markup.

const SHANGHAI = new Intl.DateTimeFormat("zh-CN", {
  timeZone: "Asia/Shanghai", year: "numeric", month: "2-digit", day: "2-digit",
  hour: "2-digit", minute: "2-digit", hour12: false,
});
const PROPS = new Set(["value", "checked", "disabled", "hidden", "type", "name", "placeholder", "required",
  "min", "max", "maxLength", "rows", "id", "htmlFor", "title", "selected", "autocomplete", "step"]);

/** h("div", {class: "x", on: {click: f}}, "text", child, …): an element; strings become text nodes. */
export function h(tag, props, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props || {})) {
    if (value === undefined || value === null) continue;
    if (key === "class") node.className = value;
    else if (key === "text") node.textContent = String(value);
    else if (key === "on") for (const [event, fn] of Object.entries(value)) node.addEventListener(event, fn);
    else if (key === "data") for (const [k, v] of Object.entries(value)) node.dataset[k] = String(v);
    else if (PROPS.has(key)) node[key] = value;
    else node.setAttribute(key, String(value));
  }
  append(node, children);
  return node;
}

export function append(node, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

/** A time in Asia/Shanghai, e.g. 2026/11/24 10:00; "—" when there is none. */
export function when(iso) {
  if (!iso) return "—";
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? String(iso) : SHANGHAI.format(date);
}

export function secs(value) {
  return value === null || value === undefined ? "—" : `${Number(value).toFixed(1)} 秒`;
}

/** A labelled form field: <label><span>text</span>control</label>. */
export function field(text, control, cls) {
  return h("label", { class: cls ? `field ${cls}` : "field" }, h("span", { text }), control);
}

export function select(name, pairs, value, blank) {
  const node = h("select", { name });
  if (blank !== undefined) node.append(h("option", { value: "", text: blank }));
  for (const [v, text] of pairs) node.append(h("option", { value: v, text, selected: v === value }));
  if (value !== undefined && value !== null) node.value = value;
  return node;
}

/** A message line next to a form; show(text, "error" | "ok" | "info"). */
export function messageLine() {
  const node = h("p", { class: "message", role: "status" });
  node.hidden = true;
  return {
    node,
    show(text, kind) {
      node.textContent = text;
      node.className = `message ${kind || "info"}`;
      node.hidden = !text;
    },
    clear() {
      node.textContent = "";
      node.hidden = true;
    },
  };
}

/** Calls fn at most once per `ms` of quiet (for the address suggestion). */
export function debounce(fn, ms) {
  let timer = null;
  return (...args) => {
    clearTimeout(timer);
    timer = setTimeout(() => fn(...args), ms);
  };
}

/** A value typed into a datalist-backed input "code 名称": the code is the first word. */
export function codeOf(input) {
  return input.value.trim().split(/\s+/)[0] || "";
}

/** A datetime-local value (Shanghai wall time) as ISO 8601 with +08:00. */
export function shanghaiIso(local) {
  if (!local) return "";
  return `${local.length === 16 ? `${local}:00` : local}+08:00`;
}

export function table(headers, rows) {
  const head = h("tr", null, headers.map((text) => h("th", { text })));
  return h("table", { class: "grid" }, h("thead", null, head), h("tbody", null, rows));
}

export function empty(text) {
  return h("p", { class: "muted", text });
}

/** Replace the node's children with `parts` (nested arrays flattened, null/false left out). */
export function fill(node, parts) {
  node.replaceChildren();
  return append(node, [parts]);
}
