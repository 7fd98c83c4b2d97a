#!/usr/bin/env bash
# Starts a throw-away sshd on 127.0.0.1 (a free port) that accepts a fresh key for the current user,
# and prints the ssh options that reach it. Stop it with: kill $(cat "$dir/sshd.pid")
set -euo pipefail
dir=$(mktemp -d /tmp/shoal-bench-sshd.XXXXXX)
ssh-keygen -q -t ed25519 -N "" -f "$dir/host_key"
ssh-keygen -q -t ed25519 -N "" -f "$dir/client_key"
cp "$dir/client_key.pub" "$dir/authorized_keys"
mkdir -p /run/sshd
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
cat > "$dir/sshd_config" <<CONF
Port $port
ListenAddress 127.0.0.1
HostKey $dir/host_key
AuthorizedKeysFile $dir/authorized_keys
PasswordAuthentication no
PubkeyAuthentication yes
PermitRootLogin prohibit-password
StrictModes no
UsePAM no
PidFile $dir/sshd.pid
MaxSessions 64
MaxStartups 64
CONF
/usr/sbin/sshd -f "$dir/sshd_config"
echo "-p $port -i $dir/client_key -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o LogLevel=ERROR"
