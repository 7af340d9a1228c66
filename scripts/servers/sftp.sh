# Sourced by scripts/test.sh: starts a private OpenSSH sshd on 127.0.0.1 serving SFTP (see
# test-servers.md). Users: the current one logs in with a key; as root (CI) it also creates
# rtk-sftp-pw (password login) and rtk-sftp-jail (SFTP only, chrooted). Idempotent across runs.
# Exports RTK_TEST_SFTP_ADDR, _USER, _KEY, _KEY_ENCRYPTED, _KEY_PASSPHRASE, _KNOWN_HOSTS,
# _KNOWN_HOSTS_WRONG, and as root _PASSWORD_USER, _PASSWORD, _PASSWORD_DIR, _CHROOT_USER, _CHROOT_DIR.
sftp_state="$RTK_STATE/sftp"
sftp_port=$(free_port)
mkdir -p "$sftp_state"
ssh-keygen -q -t ed25519 -N '' -C rtk-test-host -f "$sftp_state/host_key"
ssh-keygen -q -t ed25519 -N '' -C rtk-test-other -f "$sftp_state/other_host_key"
ssh-keygen -q -t ed25519 -N '' -C rtk-test-client -f "$sftp_state/client_key"
ssh-keygen -q -t ed25519 -N 'rtk-test-passphrase' -C rtk-test-client-enc -f "$sftp_state/client_key_enc"
echo "[127.0.0.1]:$sftp_port $(cut -d' ' -f1,2 "$sftp_state/host_key.pub")" >"$sftp_state/known_hosts"
echo "[127.0.0.1]:$sftp_port $(cut -d' ' -f1,2 "$sftp_state/other_host_key.pub")" >"$sftp_state/known_hosts_wrong"

# sshd reads authorized keys as the user logging in: $RTK_STATE is private to us, /srv is not.
sftp_keys="$sftp_state/authorized_keys"
sftp_jail=/srv/rtk-test-sftp/jail
if [ "$(id -u)" = 0 ]; then
  mkdir -p /run/sshd /srv/rtk-test-sftp/keys "$sftp_jail"
  find /srv/rtk-test-sftp/keys -mindepth 1 -mmin +1440 -delete 2>/dev/null || true
  sftp_keys="/srv/rtk-test-sftp/keys/$sftp_port"
  for u in rtk-sftp-pw rtk-sftp-jail; do
    id "$u" >/dev/null 2>&1 || useradd -M -d /srv/rtk-test-sftp -s /usr/sbin/nologin "$u"
    # A fixed password: concurrent runs share the users. It also unlocks the account for key logins.
    echo "$u:rtk-sftp-test-password" | chpasswd
  done
  # ChrootDirectory must be root-owned and not writable by others all the way up.
  chown root:root /srv/rtk-test-sftp "$sftp_jail"
  chmod 755 /srv/rtk-test-sftp "$sftp_jail" /srv/rtk-test-sftp/keys
  mkdir -p "$sftp_jail/upload" /srv/rtk-test-sftp/pw
  chown rtk-sftp-jail "$sftp_jail/upload"
  chown rtk-sftp-pw /srv/rtk-test-sftp/pw
fi
cat "$sftp_state/client_key.pub" "$sftp_state/client_key_enc.pub" >"$sftp_keys"
chmod 644 "$sftp_keys"

cat >"$sftp_state/sshd_config" <<CONF
ListenAddress 127.0.0.1
HostKey $sftp_state/host_key
PidFile $sftp_state/sshd.pid
AuthorizedKeysFile $sftp_keys
PasswordAuthentication yes
KbdInteractiveAuthentication no
PermitRootLogin prohibit-password
UsePAM no
StrictModes no
Subsystem sftp internal-sftp
Match User rtk-sftp-jail
  ForceCommand internal-sftp
  ChrootDirectory $sftp_jail
  AllowTcpForwarding no
CONF
/usr/sbin/sshd -D -e -f "$sftp_state/sshd_config" -p "$sftp_port" >"$RTK_STATE/sftp.log" 2>&1 &
remember $!
wait_for sftp bash -c "exec 3<>/dev/tcp/127.0.0.1/$sftp_port"

export RTK_TEST_SFTP_ADDR="127.0.0.1:$sftp_port"
export RTK_TEST_SFTP_USER
RTK_TEST_SFTP_USER=$(id -un)
export RTK_TEST_SFTP_KEY="$sftp_state/client_key"
export RTK_TEST_SFTP_KEY_ENCRYPTED="$sftp_state/client_key_enc"
export RTK_TEST_SFTP_KEY_PASSPHRASE=rtk-test-passphrase
export RTK_TEST_SFTP_KNOWN_HOSTS="$sftp_state/known_hosts"
export RTK_TEST_SFTP_KNOWN_HOSTS_WRONG="$sftp_state/known_hosts_wrong"
if [ "$(id -u)" = 0 ]; then
  export RTK_TEST_SFTP_PASSWORD_USER=rtk-sftp-pw
  export RTK_TEST_SFTP_PASSWORD=rtk-sftp-test-password
  export RTK_TEST_SFTP_PASSWORD_DIR=/srv/rtk-test-sftp/pw
  export RTK_TEST_SFTP_CHROOT_USER=rtk-sftp-jail
  export RTK_TEST_SFTP_CHROOT_DIR="$sftp_jail"
fi
