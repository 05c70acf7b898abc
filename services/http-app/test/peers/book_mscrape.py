#!/usr/bin/env python3
# Runs the book's chapter11/mscrape.py, unchanged, against a bank. mscrape.py imports selenium
# at its top for its -s mode (driving Firefox), which Debian's python3 lacks and these tests do
# not use: an empty stand-in module is put in sys.modules before it is loaded.
#
#   book_mscrape.py BOOK_CH11 URL [-l]            mscrape.py's own main(): POST /login, then scrape
#   book_mscrape.py BOOK_CH11 URL [-l] --secured  log in to our secured bank (which wants the
#       login form's CSRF token, so mscrape's blind POST cannot), then mscrape's own scraper
#       (scrape_with_soup, or scrape_with_lxml with -l) on the account page
import re
import runpy
import sys
import types
from urllib.parse import urljoin

selenium = types.ModuleType('selenium')
selenium.webdriver = types.ModuleType('selenium.webdriver')
sys.modules['selenium'] = selenium
sys.modules['selenium.webdriver'] = selenium.webdriver

book = sys.argv[1]
args = sys.argv[2:]
sys.path.insert(0, book)
if '--secured' in args:
    args.remove('--secured')
    import mscrape
    import requests

    base = args[0]
    session = requests.Session()
    login = session.get(urljoin(base, 'login')).text
    token = re.search(r'name="csrf_token" value="([^"]+)"', login).group(1)
    r = session.post(urljoin(base, 'login'),
                     {'csrf_token': token, 'username': 'brandon', 'password': 'atigdng'})
    assert r.url == base, r.url
    (mscrape.scrape_with_lxml if '-l' in args else mscrape.scrape_with_soup)(r.text)
else:
    sys.argv = [book + '/mscrape.py'] + args
    runpy.run_path(book + '/mscrape.py', run_name='__main__')
