#!/usr/bin/env bash
# Phase 30: kubelet, kubeadm and kubectl from pkgs.k8s.io for one minor (optionally one exact
# patch), held so unattended upgrades leave them alone.
# A node that is already part of a cluster never changes minor here: installing a newer
# kubelet on every node at once would run kubelets newer than the API server. The phase
# stops with one line saying what to do instead (docs/clusters.md, "Kubernetes versions").
# Inputs: K8S_SERIES (v1.34), K8S_PACKAGE_VERSION (1.34.2, or empty for the latest patch).
: "${K8S_SERIES:?}"
K8S_PACKAGE_VERSION="${K8S_PACKAGE_VERSION:-}"
packages=(kubelet kubeadm kubectl)

# wanted_prefix: what an installed version must start with to be acceptable.
if [ -n "$K8S_PACKAGE_VERSION" ]; then
  wanted_prefix="${K8S_PACKAGE_VERSION}-"
else
  wanted_prefix="${K8S_SERIES#v}."
fi

installed="$(pkg_version kubeadm)"
if [ -n "$installed" ] && { [ -f /var/lib/klustered/kubeadm.done ] || [ -f /etc/kubernetes/kubelet.conf ]; }; then
  running_minor="$(cut -d. -f1,2 <<<"$installed")"
  wanted_minor="${K8S_SERIES#v}"
  if [ "$running_minor" != "$wanted_minor" ]; then
    die "this node runs Kubernetes $running_minor and the stack asks for $wanted_minor: klustered does not change the minor of a running cluster; set kubernetes.version back to $running_minor, or upgrade with kubeadm by hand first (docs/clusters.md)"
  fi
fi

apt_install apt-transport-https ca-certificates curl gpg

repo="https://pkgs.k8s.io/core:/stable:/${K8S_SERIES}/deb/"
keyring=/etc/apt/keyrings/kubernetes-apt-keyring.gpg
if [ ! -s "$keyring" ]; then
  install -d -m 0755 /etc/apt/keyrings
  key="$(mktemp)"
  CLEANUP+=("$key")
  retry 5 curl -fsSL --retry 3 -o "$key" "${repo}Release.key"
  gpg --batch --yes --dearmor -o "$keyring" "$key"
  chmod 0644 "$keyring"
  APT_UPDATED=0
fi
if write_file /etc/apt/sources.list.d/kubernetes.list 0644 \
  "deb [signed-by=${keyring}] ${repo} /"; then
  APT_UPDATED=0
fi

outdated=0
for pkg in "${packages[@]}"; do
  case "$(pkg_version "$pkg")" in
  "$wanted_prefix"*) ;;
  *) outdated=1 ;;
  esac
done

if [ "$outdated" = 1 ]; then
  apt_update
  # apt-cache madison lists the newest version first.
  version="$(apt-cache madison kubeadm | awk -v p="$wanted_prefix" 'index($3, p) == 1 { print $3; exit }')"
  [ -n "$version" ] || die "no kubeadm ${wanted_prefix}* in ${repo}"
  pinned=()
  for pkg in "${packages[@]}"; do
    pinned+=("${pkg}=${version}")
  done
  retry 5 apt_get install -y -qq --no-install-recommends \
    --allow-change-held-packages --allow-downgrades "${pinned[@]}"
fi

held="$(apt-mark showhold)"
for pkg in "${packages[@]}"; do
  if ! grep -qx "$pkg" <<<"$held"; then
    apt-mark -o DPkg::Lock::Timeout=600 hold "$pkg" >/dev/null
  fi
done

if ! systemctl is-enabled --quiet kubelet; then
  systemctl enable kubelet
fi
log "kubernetes packages: $(pkg_version kubeadm)"
