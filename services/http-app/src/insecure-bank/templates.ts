/**
 * The book's templates/*.html of ch. 11, as app_insecure.py renders them: Jinja2 built by hand
 * (`Environment(loader=PackageLoader(...))`) does not escape, and neither does this Eta
 * (autoEscape off): a memo or a flash message of `<script>` runs. That is the point of this
 * bank; the secured one (src/bank/) escapes everything.
 */
import { Eta } from 'eta';

const BASE = `<html>
  <head>
    <title><%~ it.title %></title>
    <link rel="stylesheet" type="text/css" href="/static/style.css">
  </head>
  <body>
    <h1><%~ it.title %></h1>
    <%~ it.body %>
  </body>
</html>
`;

const INDEX = `<% layout('@base', { title: 'Welcome, ' + it.username }) %>
<% for (const message of it.flashMessages) { %>
  <div class="flash_message"><%~ message %><a href="/">&times;</a></div>
<% } %>
<p>Your Payments</p>
<ul>
<% for (const p of it.payments) { const prep = p.payee === it.username ? 'from' : 'to'; const acct = p.payee === it.username ? p.payer : p.payee; %>
    <li class="<%~ prep %>">$<%~ p.dollars %> <%~ prep %> <b><%~ acct %></b>
    for: <i><%~ p.memo %></i></li>
<% } %>
</ul>
<a href="/pay">Make payment</a> | <a href="/logout">Log out</a>
`;

const LOGIN = `<% layout('@base', { title: 'Please log in' }) %>
<form method="post">
  <label>User: <input name="username" value="<%~ it.username %>"></label>
  <label>Password: <input name="password" type="password"></label>
  <button type="submit">Log in</button>
</form>
`;

const PAY = `<% layout('@base', { title: 'Make a Payment' }) %>
<form method="post" action="/pay">
  <% if (it.complaint) { %><span class="complaint"><%~ it.complaint %></span><% } %>
  <label>To account: <input name="account" value="<%~ it.account %>"></label>
  <label>Dollars: <input name="dollars" value="<%~ it.dollars %>"></label>
  <label>Memo: <input name="memo" value="<%~ it.memo %>"></label>
  <button type="submit">Send money</button> | <a href="/">Cancel</a>
</form>
`;

export function createInsecureTemplates(): Eta {
  const eta = new Eta({ autoEscape: false, cache: true, useWith: false });
  eta.loadTemplate('@base', BASE);
  eta.loadTemplate('@index', INDEX);
  eta.loadTemplate('@login', LOGIN);
  eta.loadTemplate('@pay', PAY);
  return eta;
}
