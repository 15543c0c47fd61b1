// Progressive enhancement only: every form works without this file. It (1) asks before a step that
// cannot be undone (not-accept, decide), and (2) makes a tolerance row's commitment date required
// once its material is ticked, so the browser names the empty date before the desk has to.
'use strict';
(function () {
  var confirmText = { refuse: '确定不予受理？此步骤不可撤销。', decide: '确定作出决定？此步骤不可撤销。' };
  document.querySelectorAll('form.action').forEach(function (form) {
    var type = form.querySelector('input[name=type]');
    if (type && confirmText[type.value]) {
      form.addEventListener('submit', function (e) { if (!window.confirm(confirmText[type.value])) e.preventDefault(); });
    }
  });
  document.querySelectorAll('input[name=tolerate]').forEach(function (box) {
    var date = document.getElementById('commit-' + box.value);
    if (!date) return;
    var sync = function () { date.required = box.checked; };
    box.addEventListener('change', sync);
    sync();
  });
})();
