// The hall board follows the desk: the server sends the board's version whenever it changes (and
// again after any reconnect, e.g. a gateway restart); a different version reloads the page.
'use strict';
(function () {
  var mine = document.documentElement.getAttribute('data-version');
  function connect() {
    var es = new EventSource('/board/events');
    es.onmessage = function (e) { if (e.data && e.data !== mine) window.location.reload(); };
    es.onerror = function () { es.close(); setTimeout(connect, 2000); };
  }
  connect();
})();
