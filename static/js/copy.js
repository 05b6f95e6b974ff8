// The copy buttons (e.g. beside a citation): shown only where this script runs; without it, the text stays
// selectable. Each button names the element whose text it copies in data-copy.
document.querySelectorAll("button[data-copy]").forEach(function (button) {
  var source = document.getElementById(button.dataset.copy);
  if (!source || !navigator.clipboard) { return; }
  button.hidden = false;
  var label = button.textContent;
  button.addEventListener("click", function () {
    navigator.clipboard.writeText(source.textContent.trim()).then(function () {
      button.textContent = button.dataset.copied || label;
      setTimeout(function () { button.textContent = label; }, 2000);
    }, function () {
      // Not allowed here: select the text, so the reader can copy it with the keyboard.
      var range = document.createRange();
      range.selectNodeContents(source);
      window.getSelection().removeAllRanges();
      window.getSelection().addRange(range);
    });
  });
});
