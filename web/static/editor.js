// The card editor: each listed problem is a button that puts the cursor on its line in the YAML text and
// selects that line (the textarea scrolls to it). Without script the line numbers are still on the page.
const text = document.getElementById("yaml_text");

function goToLine(line) {
  const lines = text.value.split("\n");
  const n = Math.min(Math.max(line, 1), lines.length);
  const start = lines.slice(0, n - 1).reduce((sum, l) => sum + l.length + 1, 0);
  text.focus();
  text.setSelectionRange(start, start + lines[n - 1].length);
  const style = getComputedStyle(text);
  const height = parseFloat(style.lineHeight) || parseFloat(style.fontSize) * 1.5;
  text.scrollTop = Math.max(0, (n - 3) * height); // wrapped lines make this approximate; the selection is exact
}

for (const button of document.querySelectorAll("#problems button[data-line]")) {
  button.addEventListener("click", () => goToLine(Number(button.dataset.line)));
}
