// Minimal embedded-mode page: sign in, get a node from the gateway, chat 1:1.
// Message text is only ever set with textContent, never parsed as HTML.
(function () {
  const $ = (id) => document.getElementById(id);
  let session = JSON.parse(localStorage.getItem('parley.session') || 'null');
  let socket;
  const seen = new Set();

  async function api(path, options = {}) {
    const headers = { 'content-type': 'application/json' };
    if (session) headers.authorization = 'Bearer ' + session.token;
    const res = await fetch(path, { ...options, headers });
    const body = await res.json().catch(() => ({}));
    if (!res.ok) throw new Error(body.detail || body.title || res.statusText);
    return body;
  }

  function command(name, payload) {
    return new Promise((resolve, reject) => {
      socket.timeout(10000).emit(name, payload, (err, ack) => {
        if (err) return reject(new Error('no answer from server'));
        if (!ack.ok) return reject(new Error(ack.error.message));
        resolve(ack);
      });
    });
  }

  function show(message) {
    if (seen.has(message.id)) return;
    seen.add(message.id);
    const li = document.createElement('li');
    if (message.senderId === session.user.id) li.className = 'mine';
    const meta = document.createElement('div');
    meta.className = 'meta';
    meta.textContent = new Date(message.createdAt).toLocaleTimeString() + ' · #' + message.seq;
    const text = document.createElement('div');
    text.textContent = message.body.text;
    li.append(meta, text);
    $('messages').prepend(li);
  }

  async function start() {
    $('auth').hidden = true;
    $('chat').hidden = false;
    $('me').textContent = session.user.username;
    const node = await api('/api/nodes/assign');
    $('node').textContent = node.nodeId;
    socket = io(node.url, { auth: { token: session.token }, transports: ['websocket'] });
    socket.on('connect', async () => {
      $('conn').textContent = 'connected';
      const result = await command('sync', {});
      result.conversations.forEach((c) => c.messages.forEach(show));
    });
    socket.on('disconnect', () => ($('conn').textContent = 'reconnecting'));
    socket.on('connect_error', (err) => {
      $('conn').textContent = 'connection failed: ' + err.message;
      if (err.message === 'UNAUTHORIZED') logout();
    });
    socket.on('message:new', show);
  }

  function logout() {
    localStorage.removeItem('parley.session');
    location.reload();
  }

  $('auth-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    const form = new FormData(event.target);
    const action = event.submitter.dataset.action;
    try {
      session = await api('/api/auth/' + action, {
        method: 'POST',
        body: JSON.stringify({ username: form.get('username'), password: form.get('password') }),
      });
      localStorage.setItem('parley.session', JSON.stringify(session));
      await start();
    } catch (err) {
      $('auth-error').textContent = err.message;
    }
  });

  $('send-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    const form = event.target;
    $('send-error').textContent = '';
    try {
      const { users } = await api('/api/users?q=' + encodeURIComponent(form.to.value));
      const peer = users.find((u) => u.username.toLowerCase() === form.to.value.toLowerCase());
      if (!peer) throw new Error('no such user');
      const clientMsgId = crypto.randomUUID();
      const ack = await command('message:send', { to: { type: 'user', id: peer.id }, clientMsgId, kind: 'text', body: { text: form.text.value } });
      show(ack.message);
      form.text.value = '';
    } catch (err) {
      $('send-error').textContent = err.message;
    }
  });

  $('logout').addEventListener('click', logout);
  if (session && session.expiresAt > Date.now()) start().catch(logout);
})();
