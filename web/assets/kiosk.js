// The kiosk's idle return: after a spell without a touch, a key or a scroll, the screen goes back to
// the kiosk's start, so the next person does not find the last one's pages. The idle time is the one
// the page states (data-idle on the note); same origin, no inline script (the page's CSP).
(function () {
  'use strict';
  var note = document.querySelector('.idle-note');
  var seconds = Number((note && note.getAttribute('data-idle')) || 90);
  var timer = 0;
  function home() {
    if (location.pathname === '/kiosk' && location.search === '') { window.scrollTo(0, 0); arm(); return; }
    location.assign('/kiosk');
  }
  function arm() {
    clearTimeout(timer);
    timer = setTimeout(home, seconds * 1000);
  }
  ['pointerdown', 'keydown', 'touchstart', 'scroll', 'wheel'].forEach(function (e) { window.addEventListener(e, arm, { passive: true }); });
  arm();
})();
