#!/usr/bin/env bash
# ssh-runner's tests start Debian's OpenSSH server (several, on loopback ports) and use ssh-keygen.
set -euo pipefail
if [ ! -x /usr/sbin/sshd ] || ! command -v ssh-keygen >/dev/null; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq openssh-server openssh-client >/dev/null
fi
mkdir -p /run/sshd
