#!/bin/sh
# Install Debian's Chromium for the browser tests when it is missing and we are allowed to.
# Never fails: without Chromium the browser tests are skipped with a reason.
if command -v chromium >/dev/null 2>&1 || [ -x /usr/bin/chromium ]; then
    exit 0
fi
if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = "0" ]; then
    echo "Installing Debian's chromium for the browser tests…"
    export DEBIAN_FRONTEND=noninteractive
    if apt-get install -y -qq chromium >/dev/null 2>&1 || \
       { apt-get update -qq >/dev/null 2>&1 && apt-get install -y -qq chromium >/dev/null 2>&1; }; then
        exit 0
    fi
fi
echo "note: chromium is not installed; the browser tests will be skipped" >&2
exit 0
