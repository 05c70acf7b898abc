/**
 * The bank's pages, rendered by Eta with autoEscape on: `<%= %>` escapes every value, so a
 * memo of `<script>` is shown as text. Nothing here uses the raw `<%~ %>` except the
 * layout inserting an already-rendered page body.
 */
import { Eta } from 'eta';

const LAYOUT = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title><%= it.title %> · fopnp bank</title>
<link rel="stylesheet" href="/bank/static/style.css">
</head>
<body>
<header><span class="logo">fopnp bank</span><% if (it.username) { %>
<form method="post" action="/bank/logout" class="logout"><input type="hidden" name="csrf_token" value="<%= it.csrfToken %>"><span>Signed in as <b><%= it.username %></b></span> <button type="submit">Log out</button></form><% } %></header>
<main>
<%~ it.body %>
</main>
</body>
</html>
`;

const LOGIN = `<% layout('@layout') %>
<h1>Please log in</h1>
<% if (it.complaint) { %><p class="complaint"><%= it.complaint %></p><% } %>
<form method="post" action="/bank/login<%= it.next ? '?next=' + encodeURIComponent(it.next) : '' %>">
  <input type="hidden" name="csrf_token" value="<%= it.loginToken %>">
  <label>Username <input name="username" value="<%= it.typed ?? '' %>" autocomplete="username" autofocus></label>
  <label>Password <input name="password" type="password" autocomplete="current-password"></label>
  <button type="submit">Log in</button>
</form>
`;

// A payment is the book's markup (templates/index.html of ch. 11), which its mscrape.py reads:
// <li class="to">$125 to <b>psf</b> for: <i>Registration for PyCon</i></li>, "from" when paid to you.
const ACCOUNT = `<% layout('@layout') %>
<h1>Welcome, <%= it.username %></h1>
<% if (it.flash) { %><p class="flash"><%= it.flash %></p><% } %>
<p><a href="/bank/pay">Make payment</a></p>
<h2>Your Payments</h2>
<ul class="payments">
<% for (const p of it.payments) { %>
<% const from = p.payee === it.username; %>  <li class="<%= from ? 'from' : 'to' %>">$<%= p.dollars %> <%= from ? 'from' : 'to' %> <b><%= from ? p.payer : p.payee %></b> for: <i><%= p.memo %></i></li>
<% } %>
</ul>
<% if (it.payments.length === 0) { %><p>No payments yet.</p><% } %>
`;

const PAY = `<% layout('@layout') %>
<h1>Make a payment</h1>
<% if (it.complaint) { %><p class="complaint"><%= it.complaint %></p><% } %>
<form method="post" action="/bank/pay">
  <input type="hidden" name="csrf_token" value="<%= it.csrfToken %>">
  <label>To account <input name="account" value="<%= it.account %>"></label>
  <label>Dollars <input name="dollars" value="<%= it.dollars %>" inputmode="numeric"></label>
  <label>Memo <input name="memo" value="<%= it.memo %>"></label>
  <button type="submit">Send money</button> <a href="/bank/">Cancel</a>
</form>
`;

const ERROR = `<% layout('@layout') %>
<h1><%= it.status %> <%= it.reason %></h1>
<p><%= it.message %></p>
<p><a href="/bank/">Back to your account</a></p>
`;

export const STYLESHEET = `body{font-family:system-ui,sans-serif;max-width:42rem;margin:0 auto;padding:1rem;color:#222}
header{display:flex;justify-content:space-between;align-items:center;border-bottom:2px solid #246;padding-bottom:.5rem}
.logo{font-weight:bold;color:#246;font-size:1.3rem}.logout{display:flex;gap:.5rem;align-items:center}
label{display:block;margin:.5rem 0}input{margin-left:.5rem;padding:.25rem}
.complaint{color:#a00;font-weight:bold}.flash{background:#dfd;padding:.5rem;border-radius:4px}
.payments li{margin:.3rem 0}button{padding:.3rem .8rem}
`;

export function createTemplates(): Eta {
  const eta = new Eta({ autoEscape: true, cache: true, useWith: false });
  eta.loadTemplate('@layout', LAYOUT);
  eta.loadTemplate('@login', LOGIN);
  eta.loadTemplate('@account', ACCOUNT);
  eta.loadTemplate('@pay', PAY);
  eta.loadTemplate('@error', ERROR);
  return eta;
}
