// Progress bars for the portal's upload forms (form[data-upload]) and the print button. Without this
// script the forms post as they are; with it, the same multipart body is sent by XMLHttpRequest so
// that each file's <progress> can follow its bytes, and the answer page replaces this one. Any failure
// to send falls back to the plain form post. Same origin only; no inline script (the page's CSP).
(function () {
  'use strict';
  function fileInputs(form) {
    return Array.prototype.filter.call(form.querySelectorAll('input[type=file]'), function (i) { return i.files && i.files.length > 0; });
  }
  function barOf(input) {
    var p = input.parentNode.querySelector('progress');
    return p || null;
  }
  // Bytes go out in form order, so file k's share is what lies between the sizes before it and its end.
  function track(inputs) {
    var spans = [];
    var start = 0;
    inputs.forEach(function (i) {
      var size = i.files[0].size;
      spans.push({ bar: barOf(i), start: start, size: size });
      start += size;
    });
    spans.forEach(function (s) { if (s.bar) { s.bar.hidden = false; s.bar.value = 0; } });
    return function (loaded, total) {
      // The multipart framing and text fields add a little; scale to the files' share.
      var scale = start > 0 && total > 0 ? start / total : 1;
      var sent = loaded * scale;
      spans.forEach(function (s) {
        if (!s.bar) return;
        var done = s.size === 0 ? 1 : Math.min(1, Math.max(0, (sent - s.start) / s.size));
        s.bar.value = Math.round(done * 100);
      });
    };
  }
  function show(html) {
    document.open();
    document.write(html);
    document.close();
  }
  function enhance(form) {
    form.addEventListener('submit', function (ev) {
      if (!window.XMLHttpRequest || !window.FormData) return;
      ev.preventDefault();
      var button = form.querySelector('button[type=submit]');
      if (button) button.disabled = true;
      var progress = track(fileInputs(form));
      var xhr = new XMLHttpRequest();
      xhr.open('POST', form.action);
      xhr.upload.addEventListener('progress', function (e) { if (e.lengthComputable) progress(e.loaded, e.total); });
      xhr.addEventListener('load', function () { show(xhr.responseText); });
      xhr.addEventListener('error', function () { if (button) button.disabled = false; form.submit(); });
      xhr.send(new FormData(form));
    });
  }
  Array.prototype.forEach.call(document.querySelectorAll('form[data-upload]'), enhance);
  Array.prototype.forEach.call(document.querySelectorAll('button[data-print]'), function (b) {
    b.hidden = false;
    b.addEventListener('click', function () { window.print(); });
  });
})();
