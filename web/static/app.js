// Shared page behaviour: a DOM helper that only ever sets text (never HTML), the Ask-the-book panel,
// local times and the print button. Loaded as a module on every page; no build step, no CDN.

export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value !== null && value !== undefined && value !== false) node.setAttribute(key, value === true ? "" : value);
  }
  node.append(...children.filter((c) => c !== null && c !== undefined)); // strings become text nodes
  return node;
}

export const csrfToken = () => document.querySelector('meta[name="csrf-token"]')?.content || "";

function passageText(p) {
  // The passage's sentences, those that answer the question in <mark> (text nodes only: never HTML).
  const segments = Array.isArray(p.segments) ? p.segments : [{ text: String(p.text), mark: false }];
  const nodes = [];
  for (const seg of segments) {
    const body = String(seg.text).replace(/\n$/, "");
    nodes.push(seg.mark ? el("mark", {}, body) : body);
    if (String(seg.text).endsWith("\n")) nodes.push(" · ");
  }
  return el("p", {}, ...nodes);
}

function renderHits(out, body) {
  // /knowledge/ask answers {passages, answer}: answer is null unless an LLM is configured; each passage has
  // `segments` with the sentences that answer the question marked.
  const passages = Array.isArray(body) ? body : body.passages || body.hits || [];
  const nodes = [];
  if (!Array.isArray(body) && body.answer) {
    nodes.push(el("div", { class: "answer" }, el("h3", {}, "简答(只依据下列段落)"), el("p", {}, body.answer)));
  } else if (!Array.isArray(body) && body.login_required) {
    nodes.push(el("p", { class: "muted" }, "登录后还可以得到只依据这些段落的简答。"));
  }
  if (!passages.length) nodes.push(el("p", { class: "muted" }, "没有找到相关段落,换个说法试试。"));
  passages.forEach((p, i) => {
    nodes.push(el("article", { class: "passage" },
      el("h3", {}, `[${i + 1}] ${p.section}`),
      passageText(p)));
  });
  out.replaceChildren(...nodes);
}

function bookPanel() {
  const toggle = document.getElementById("book-toggle");
  const panel = document.getElementById("book-panel");
  if (!toggle || !panel) return;
  const input = document.getElementById("book-q");
  const out = document.getElementById("book-results");
  const open = (yes) => {
    panel.hidden = !yes;
    toggle.setAttribute("aria-expanded", String(yes));
    (yes ? input : toggle).focus();
  };
  toggle.addEventListener("click", (event) => { event.preventDefault(); open(panel.hidden); });
  document.getElementById("book-close").addEventListener("click", () => open(false));
  panel.addEventListener("keydown", (event) => { if (event.key === "Escape") open(false); });
  document.getElementById("book-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const q = input.value.trim();
    if (!q) return;
    out.setAttribute("aria-busy", "true");
    out.replaceChildren(el("p", { class: "muted" }, "检索中…"));
    try {
      const res = await fetch(`/api/v1/knowledge/ask?k=5&q=${encodeURIComponent(q)}`, { headers: { accept: "application/json" } });
      const body = await res.json();
      if (res.ok) renderHits(out, body);
      else out.replaceChildren(el("p", { class: "error", role: "alert" }, body?.error?.message || "检索失败,请重试"));
    } catch {
      out.replaceChildren(el("p", { class: "error", role: "alert" }, "网络错误,请检查连接后重试"));
    } finally {
      out.removeAttribute("aria-busy");
    }
  });
}

function localTimes() {
  // Every <time datetime> in the browser's time zone, the Chinese way the server writes it: 2026年12月1日 20:15.
  const two = (n) => String(n).padStart(2, "0");
  const cn = (d) => `${d.getFullYear()}年${d.getMonth() + 1}月${d.getDate()}日 ${two(d.getHours())}:${two(d.getMinutes())}`;
  for (const node of document.querySelectorAll("time[datetime]")) {
    const when = new Date(node.getAttribute("datetime"));
    if (!Number.isNaN(when.getTime())) node.textContent = cn(when);
  }
}

function labelForms() {
  // The "标签有误" form: only the fieldset of the chosen act is shown (and sent, and required).
  for (const form of document.querySelectorAll("form[data-label-form]")) {
    const select = form.querySelector("select[name=act]");
    const sync = () => {
      for (const set of form.querySelectorAll("fieldset[data-act]")) {
        const on = set.dataset.act === select.value;
        set.hidden = !on;
        set.disabled = !on;
        for (const radio of set.querySelectorAll("input[type=radio]")) radio.required = on;
      }
    };
    select.addEventListener("change", sync);
    sync();
  }
}

bookPanel();
localTimes();
labelForms();
document.getElementById("print-now")?.addEventListener("click", () => window.print());
