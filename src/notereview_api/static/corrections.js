// The case page: text selected inside a visit record fills that record's "missed passage"
// form (its words and offsets in the record's text). Without this script the form still
// works: the auditor types or pastes the words and the server finds them.
"use strict";
(function () {
  function offsetIn(root, node, offset) {
    var range = document.createRange();
    range.setStart(root, 0);
    range.setEnd(node, offset);
    return range.toString().length;
  }
  function fill(record) {
    var selection = window.getSelection();
    if (!selection || selection.rangeCount === 0 || selection.isCollapsed) { return; }
    var range = selection.getRangeAt(0);
    if (!record.contains(range.startContainer) || !record.contains(range.endContainer)) { return; }
    var start = offsetIn(record, range.startContainer, range.startOffset);
    var end = offsetIn(record, range.endContainer, range.endOffset);
    if (end <= start) { return; }
    var id = record.getAttribute("data-record-id");
    var form = document.querySelector('form.missed-form[data-record-id="' + CSS.escape(id) + '"]');
    if (!form) { return; }
    form.querySelector('input[name="passage"]').value = record.textContent.slice(start, end);
    form.querySelector('input[name="span_start"]').value = String(start);
    form.querySelector('input[name="span_end"]').value = String(end);
    var details = form.closest("details.span-corrections");
    if (details) { details.open = true; }
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll(".record__text[data-record-id]").forEach(function (record) {
      record.addEventListener("mouseup", function () { fill(record); });
      record.addEventListener("keyup", function () { fill(record); });
    });
    // Typing in the passage box means the words typed, not an earlier selection.
    document.querySelectorAll('form.missed-form input[name="passage"]').forEach(function (box) {
      box.addEventListener("input", function () {
        box.form.querySelector('input[name="span_start"]').value = "";
        box.form.querySelector('input[name="span_end"]').value = "";
      });
    });
  });
})();
