// The practice call: send what the rep types (with when they started typing and when they sent), stream
// the customer's reply in as it comes (SSE over fetch), run the 4-second golden-silence ring when the
// customer finishes, and tell the server about a silence so the customer may go on talking. The turn budget
// (第 6/16 轮) follows each reply and warns near the end; 结束通话 asks first (a <dialog>). In an exam (考核)
// there are no coach labels and the ring is hidden, but the silences still reach the customer.
import { csrfToken, el } from "./app.js";

const GOLDEN = 4; // seconds: 黄金静默
const SILENCE_POSTS = [5, 13]; // report a quiet spell at ~5 s; once more later so a long one gets a "喂?"

const $ = (id) => document.getElementById(id);
const data = JSON.parse($("call-data").textContent);
const L = data.labels;
const api = `/api/v1/sessions/${data.session}`;
const log = $("log"), say = $("say"), send = $("send"), ring = $("silence"), ringText = $("silence-text");
const ringCount = $("ring-count"), errorBox = $("call-error");
const now = () => Date.now() / 1000; // client epoch seconds, as the API expects
const EXAM = Boolean(data.exam);
const WARN_TURNS = 3; // the budget turns amber when this few turns are left

let busy = false;
let ended = false;
let customerDoneAt = null; // when the customer's last words finished showing (a quiet spell runs from here)
let floorAt = now(); // typing cannot have started before the last message: the server refuses that
let typingStartedAt = null;
let silencePosts = 0;
let sendWhenDone = false; // Enter pressed while the customer was still talking: send when he is done
window.peilianMetrics = { sends: [] }; // read by the browser test: send → first streamed word on screen

export function actLabel(act) {
  if (!act || !act.act) return "";
  const label = L.acts[act.act] || act.act;
  if (act.act === "exploratory" && act.focus) return `${label}·${L.focus[act.focus] || act.focus}`;
  if (act.act === "confirmation" && act.form) return `${label}·${L.forms[act.form] || act.form}`;
  if (act.act === "commitment" && act.elements) return `${label} ${Object.values(act.elements).filter(Boolean).length}/4`;
  return label;
}

function scrollDown() { log.scrollTop = log.scrollHeight; }

function addMessage(speaker, text) {
  const li = el("li", { class: `msg ${speaker}` },
    el("span", { class: "who" }, speaker === "customer" ? "客户" : "我"),
    el("p", { class: "bubble" }, text));
  if (speaker === "rep" && !EXAM) li.append(el("span", { class: "act pending" }, "…"));
  log.append(li);
  scrollDown();
  return li;
}

function showError(message) { errorBox.textContent = message; errorBox.hidden = false; }
function setBusy(value) { busy = value; send.disabled = value || ended; }

// -- coach mode: show each sent message's act (never in an exam: the page has no toggle) ---------------
const coach = $("coach");
if (coach) {
  try { coach.checked = localStorage.getItem("peilian.coach") === "1"; } catch { /* storage blocked */ }
  const applyCoach = () => document.body.classList.toggle("coach-on", coach.checked);
  coach.addEventListener("change", () => {
    try { localStorage.setItem("peilian.coach", coach.checked ? "1" : "0"); } catch { /* storage blocked */ }
    applyCoach();
  });
  applyCoach();
}

// -- the turn budget: the customer ends the call at max_turns, or sooner when his patience runs out ------
// (each message costs `drain`; outside an exam the page also warns when patience will end the call first).
const budget = $("budget");
function showBudget(turn, patience) {
  if (!budget || typeof turn !== "number") return;
  const max = Number(budget.dataset.max);
  const drain = Number(budget.dataset.drain || 0);
  if (drain && typeof patience === "number") budget.dataset.patience = String(patience);
  const byTurns = max - turn;
  const byPatience = drain ? Math.max(0, Math.ceil(Number(budget.dataset.patience) / drain)) : Infinity;
  const left = Math.min(byTurns, byPatience);
  budget.dataset.turn = String(turn);
  budget.dataset.left = String(left);
  budget.classList.toggle("warn", left <= WARN_TURNS);
  let text = turn > 0 ? `第 ${turn}/${max} 轮` : `本通最多 ${max} 轮`;
  if (left <= WARN_TURNS && left > 0) {
    text += byPatience < byTurns ? ` · 客户快没耐心了,约剩 ${left} 轮` : ` · 只剩 ${left} 轮`;
    text += ",该提行动承诺了";
  }
  budget.textContent = text;
}
if (budget) showBudget(Number(budget.dataset.turn));

// -- the golden-silence ring ---------------------------------------------------------------------------
function setRing(state, text, count = "") {
  ring.dataset.state = state;
  if (text) ringText.textContent = text;
  ringCount.textContent = count;
}

function startQuiet() {
  customerDoneAt = now();
  floorAt = customerDoneAt;
  silencePosts = 0;
  typingStartedAt = say.value.trim() ? customerDoneAt : null; // typing during the reply counts from its end
  const sweep = $("ring-sweep");
  sweep.style.animation = "none";
  void sweep.getBoundingClientRect(); // restart the CSS animation
  sweep.style.animation = "";
  setRing("running", "客户说完了 · 先别急着接话,停 4 秒……", String(GOLDEN));
}

function onTick() {
  if (customerDoneAt === null || busy || ended || typingStartedAt !== null) return;
  const quiet = now() - customerDoneAt;
  if (quiet < GOLDEN) {
    ringCount.textContent = String(Math.ceil(GOLDEN - quiet));
  } else if (ring.dataset.state === "running") {
    setRing("done", "✓ 黄金静默 4 秒 · 继续保持沉默,客户可能会接着说", "✓");
  }
  if (silencePosts < SILENCE_POSTS.length && quiet >= SILENCE_POSTS[silencePosts]) {
    silencePosts += 1;
    turn(`${api}/silence`, { seconds: Math.round(quiet * 100) / 100 }, null);
  }
}
setInterval(onTick, 200);

say.addEventListener("input", () => {
  if (!say.value.trim()) { typingStartedAt = null; return; } // erased: the rep is silent again
  if (typingStartedAt !== null || ended) return;
  typingStartedAt = now();
  if (customerDoneAt === null || busy) return;
  const pause = typingStartedAt - customerDoneAt;
  if (pause >= GOLDEN) setRing("good", `停顿 ${pause.toFixed(1)} 秒才开口 ✓`, "✓");
  else setRing("short", `停顿 ${pause.toFixed(1)} 秒就开口了,不到 4 秒——客户可能还没说完`, "!");
});

// -- streaming: the reply appears word by word ---------------------------------------------------------
class Typewriter {
  constructor(metric) { this.metric = metric; this.queue = []; this.li = null; this.timer = null; this.waiters = []; }

  push(text) {
    const chars = Array.from(text);
    if (!this.li) {
      this.li = addMessage("customer", chars.shift() || ""); // the first word goes on screen at once
      log.setAttribute("aria-busy", "true");
      if (this.metric) this.metric.firstWord = performance.now();
    }
    this.queue.push(...chars);
    if (!this.timer && this.queue.length) this.timer = setInterval(() => this.drain(), 30);
  }

  drain() {
    // Short replies at reading pace; long ones faster, so the ring never waits much on the animation.
    const n = Math.max(2, Math.ceil(this.queue.length / 12));
    this.li.querySelector(".bubble").append(this.queue.splice(0, n).join(""));
    scrollDown();
    if (!this.queue.length) {
      clearInterval(this.timer);
      this.timer = null;
      this.waiters.splice(0).forEach((resolve) => resolve());
    }
  }

  finished() { return this.timer ? new Promise((resolve) => this.waiters.push(resolve)) : Promise.resolve(); }
}

async function* sseEvents(body) {
  const reader = body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += value;
    let cut;
    while ((cut = buffer.indexOf("\n\n")) >= 0) {
      const block = buffer.slice(0, cut);
      buffer = buffer.slice(cut + 2);
      let event = "message", payload = "";
      for (const line of block.split("\n")) {
        if (line.startsWith("event:")) event = line.slice(6).trim();
        else if (line.startsWith("data:")) payload += line.slice(5).trimStart();
      }
      if (payload) yield { event, data: JSON.parse(payload) };
    }
  }
}

function markEnded(outcome) {
  ended = true;
  customerDoneAt = null;
  setBusy(false);
  say.disabled = true;
  $("end-call").disabled = true;
  setRing("idle", "通话已结束。");
  $("ended-text").textContent = `通话结束:${L.endReasons[outcome] || L.endReasons.customer_ended}。`;
  $("ended").hidden = false;
  $("to-scorecard").focus();
}

function applyRep(li, rep) {
  if (!li || !rep) return;
  li.dataset.seq = rep.seq;
  const chip = li.querySelector(".act");
  if (!chip) return; // an exam: no label
  chip.textContent = actLabel(rep.act);
  chip.className = `act act-${rep.act?.act || "statement"}`;
}

// One turn (a message or a silence): POST, read the stream, show the reply. Returns false when the
// request was refused before anything was stored (the caller puts the text back).
async function turn(url, body, ctx) {
  setBusy(true);
  errorBox.hidden = true;
  const typewriter = new Typewriter(ctx?.metric);
  let final = null;
  try {
    const res = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "text/event-stream", "x-csrf-token": csrfToken() },
      body: JSON.stringify(body),
    });
    if (!res.ok || !(res.headers.get("content-type") || "").includes("text/event-stream")) {
      const problem = await res.json().catch(() => null);
      if (problem?.error?.code === "session_ended") markEnded(null);
      else if (ctx) showError(problem?.error?.message || "发送失败,请重试");
      return false;
    }
    for await (const { event, data: payload } of sseEvents(res.body)) {
      if (event === "rep") applyRep(ctx?.li, payload);
      else if (event === "delta") typewriter.push(payload.text);
      else if (event === "reply") final = payload;
      else if (event === "error") showError(payload.message || "生成回复时出错,请重试");
    }
  } catch {
    showError("网络错误,请检查连接后重试");
    return !ctx;
  } finally {
    await typewriter.finished();
    log.removeAttribute("aria-busy");
    setBusy(false);
  }
  if (final?.reply) {
    const li = typewriter.li || addMessage("customer", "");
    li.querySelector(".bubble").textContent = final.reply.text; // exactly what was stored
    li.dataset.seq = final.reply.seq;
    $("reply-live").textContent = `客户:${final.reply.text}`;
  }
  showBudget(final?.state?.turn, final?.state?.patience);
  if (final?.ended || final?.state?.ended) markEnded(final.state?.outcome);
  else if (final?.reply) startQuiet();
  else if (!ctx) setRing("done", "客户没有接话。你可以继续等,也可以开口提问。", "✓");
  if (sendWhenDone && !ended) {
    sendWhenDone = false;
    queueMicrotask(sendMessage);
  }
  return true;
}

async function sendMessage() {
  const text = say.value.trim();
  if (!text || ended) return;
  if (busy) {
    sendWhenDone = true;
    setRing(ring.dataset.state, "客户还在说,他一说完就发送你的话……", ringCount.textContent);
    return;
  }
  const sentAt = now();
  const started = Math.min(Math.max(typingStartedAt ?? sentAt, floorAt), sentAt);
  const li = addMessage("rep", text);
  const metric = { sentAt: performance.now(), firstWord: null };
  window.peilianMetrics.sends.push(metric);
  say.value = "";
  typingStartedAt = null;
  customerDoneAt = null;
  floorAt = sentAt;
  setRing("idle", "客户在听……", "");
  const ok = await turn(`${api}/messages`, { text, typing_started_at: started, sent_at: sentAt, client_now: now() }, { li, metric });
  if (!ok) {
    li.remove();
    if (!say.value) say.value = text;
  }
}

$("composer").addEventListener("submit", (event) => { event.preventDefault(); sendMessage(); });
say.addEventListener("keydown", (event) => {
  // Enter sends, Shift+Enter is a new line; never while an input method is composing Chinese.
  if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
    event.preventDefault();
    sendMessage();
  }
});

// 结束通话 asks first: one click by mistake would end and score the call.
const endDialog = $("end-dialog");
$("end-call").addEventListener("click", () => {
  if (ended) return;
  endDialog.showModal();
  $("end-cancel").focus();
});
$("end-cancel").addEventListener("click", () => { endDialog.close(); say.focus(); });
$("end-confirm").addEventListener("click", async () => {
  endDialog.close();
  $("end-call").disabled = true;
  try {
    const res = await fetch(`${api}/end`, { method: "POST", headers: { "x-csrf-token": csrfToken() } });
    if (res.ok) { window.location.assign(`/sessions/${data.session}`); return; }
    const problem = await res.json().catch(() => null);
    showError(problem?.error?.message || "结束通话失败,请重试");
  } catch {
    showError("网络错误,请检查连接后重试");
  }
  $("end-call").disabled = false;
});

// On a phone the situation folds away (one tap opens it): the chat needs the screen.
if (window.matchMedia("(max-width: 760px)").matches) $("brief-details").open = false;

// The customer's last line (the greeting, on a fresh call) is on screen: the quiet spell starts now.
const last = log.lastElementChild;
if (last?.classList.contains("customer")) startQuiet();
say.focus();
