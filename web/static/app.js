// Shared page behaviour: a DOM helper that only ever sets text (never HTML), the Ask-the-book panel,
// local times, confirmation dialogs, copy buttons and the print button. Loaded as a module on every page; no build step, no CDN.

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

function confirmForms() {
  // form[data-confirm]: ask in a dialog before it is sent (revoking a key, disabling a user). Yes sets the
  // form's `confirm` field, which the server requires; without JavaScript the server asks on a page instead.
  for (const form of document.querySelectorAll("form[data-confirm]")) {
    form.addEventListener("submit", (event) => {
      const field = form.querySelector("input[name=confirm]");
      if (field?.value === "yes") return;
      event.preventDefault();
      const opener = event.submitter || form.querySelector("button");
      const yes = el("button", { type: "button", class: "danger", value: "yes" }, form.dataset.confirmButton || "确认");
      const no = el("button", { type: "button", class: "ghost" }, "取消");
      const text = el("p", { id: "confirm-text" }, form.dataset.confirm);
      const dialog = el("dialog", { class: "confirm", "aria-labelledby": "confirm-text" }, text, el("p", { class: "actions" }, yes, " ", no));
      document.body.append(dialog);
      const close = () => { dialog.close(); dialog.remove(); opener?.focus(); };
      no.addEventListener("click", close);
      dialog.addEventListener("cancel", (e) => { e.preventDefault(); close(); }); // Escape
      yes.addEventListener("click", () => {
        if (field) field.value = "yes";
        dialog.close();
        form.submit();
      });
      dialog.showModal();
      no.focus(); // the safe choice has the focus
    });
  }
}

function copyButtons() {
  // button[data-copy="#id"]: copy that element's text (a new API key), and say so.
  for (const button of document.querySelectorAll("button[data-copy]")) {
    button.addEventListener("click", async () => {
      const source = document.querySelector(button.dataset.copy);
      const status = document.getElementById(button.getAttribute("aria-describedby") || "");
      if (!source) return;
      try {
        await navigator.clipboard.writeText(source.textContent.trim());
        if (status) status.textContent = "已复制";
      } catch {
        getSelection().selectAllChildren(source); // no clipboard access: select it for Ctrl+C
        if (status) status.textContent = "已选中,请按 Ctrl+C 复制";
      }
    });
  }
}

bookPanel();
localTimes();
labelForms();
confirmForms();
copyButtons();
document.getElementById("print-now")?.addEventListener("click", () => window.print());
