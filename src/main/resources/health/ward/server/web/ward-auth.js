// Ward sign-in and enrolment. Talks JSON to /auth with the page's CSRF token; WebAuthn through
// the browser's JSON helpers (parseCreationOptionsFromJSON / parseRequestOptionsFromJSON / toJSON).
'use strict';
(function () {
  const csrf = document.querySelector('meta[name="csrf"]').content;
  const $ = (id) => document.getElementById(id);
  const status = (text, error) => { const s = $('status'); s.textContent = text; s.className = error ? 'error' : ''; };

  async function post(path, body) {
    const r = await fetch(path, {
      method: 'POST', credentials: 'same-origin',
      headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': csrf },
      body: JSON.stringify(body || {})
    });
    const j = await r.json().catch(() => ({}));
    if (!r.ok) throw new Error(j.message || j.error_description || ('HTTP ' + r.status));
    return j;
  }

  function credentialJson(cred) {
    const j = cred.toJSON();
    return JSON.stringify({
      type: j.type, id: j.id, rawId: j.rawId,
      response: Object.fromEntries(Object.entries(j.response).filter(([k]) =>
        ['clientDataJSON', 'attestationObject', 'transports', 'authenticatorData', 'signature', 'userHandle'].includes(k))),
      clientExtensionResults: j.clientExtensionResults || {}
    });
  }

  function signin() {
    let ticket = null;
    $('password-form').addEventListener('submit', async (e) => {
      e.preventDefault();
      status('Checking…');
      try {
        const step = await post('/auth/login', { username: $('username').value, password: $('password').value });
        $('password').value = '';
        ticket = step.ticket;
        $('password-form').hidden = true;
        $('factor').hidden = false;
        $('webauthn-button').hidden = !step.factors.includes('webauthn');
        $('totp-form').hidden = !step.factors.includes('totp');
        status(step.factors.includes('webauthn') ? 'Now use your security key or passkey.' : 'Now enter the code from your app.');
      } catch (err) { status(err.message, true); }
    });
    $('webauthn-button').addEventListener('click', async () => {
      try {
        const options = await post('/auth/login/webauthn/options', { ticket });
        const publicKey = PublicKeyCredential.parseRequestOptionsFromJSON(options.publicKey);
        const cred = await navigator.credentials.get({ publicKey });
        done(await post('/auth/login/webauthn', { ticket, credential: credentialJson(cred) }));
      } catch (err) { status(err.message, true); }
    });
    $('totp-form').addEventListener('submit', async (e) => {
      e.preventDefault();
      try { done(await post('/auth/login/totp', { ticket, code: $('totp-code').value })); } catch (err) { status(err.message, true); }
    });
    $('signout').addEventListener('click', async () => {
      try {
        await post('/auth/logout', {});
        $('signed-in').hidden = true; $('token').value = '';
        $('password-form').hidden = false;
        status('Signed out.');
      } catch (err) { status(err.message, true); }
    });
    function done(session) {
      $('factor').hidden = true;
      $('signed-in').hidden = false;
      $('who').textContent = 'Signed in as ' + session.username + ' (' + session.role + ')';
      $('token').value = session.access_token;
      status('Signed in as ' + session.username);
    }
  }

  function enrol() {
    const secret = location.hash.slice(1);
    history.replaceState(null, '', location.pathname);
    async function refresh() {
      const s = await post('/auth/enrol/state', { secret });
      $('account').textContent = s.displayName + ' — ' + s.username + ' (' + s.role + ')';
      $('enrol-password-form').hidden = s.passwordSet;
      $('enrol-factor').hidden = !s.passwordSet;
      $('enrol-totp-section').hidden = !s.factors.includes('totp');
    }
    refresh().catch((err) => status(err.message, true));
    $('enrol-password-form').addEventListener('submit', async (e) => {
      e.preventDefault();
      if ($('new-password').value !== $('new-password-2').value) { status('The passwords differ.', true); return; }
      try {
        await post('/auth/enrol/password', { secret, password: $('new-password').value });
        $('new-password').value = ''; $('new-password-2').value = '';
        await refresh();
        status('Password set. Now register a second factor.');
      } catch (err) { status(err.message, true); }
    });
    $('enrol-webauthn').addEventListener('click', async () => {
      try {
        const options = await post('/auth/enrol/webauthn/options', { secret });
        const publicKey = PublicKeyCredential.parseCreationOptionsFromJSON(options.publicKey);
        const cred = await navigator.credentials.create({ publicKey });
        const s = await post('/auth/enrol/webauthn', { secret, credential: credentialJson(cred) });
        finished(s);
      } catch (err) { status(err.message, true); }
    });
    $('enrol-totp').addEventListener('click', async () => {
      try {
        const t = await post('/auth/enrol/totp', { secret });
        $('totp-secret').textContent = 'Add this key to your authenticator app: ' + t.secret;
        $('enrol-totp-form').hidden = false;
      } catch (err) { status(err.message, true); }
    });
    $('enrol-totp-form').addEventListener('submit', async (e) => {
      e.preventDefault();
      try { finished(await post('/auth/enrol/totp/confirm', { secret, code: $('enrol-totp-code').value })); } catch (err) { status(err.message, true); }
    });
    function finished(s) {
      $('enrol-factor').hidden = true;
      status(s.done ? 'Enrolment complete. You can now sign in.' : 'Second factor registered.');
    }
  }

  if (document.body.dataset.page === 'signin') signin(); else enrol();
})();
