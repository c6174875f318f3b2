#!/bin/sh
# Moves a running WorkHub to another image without dropping requests. Run on the server, in
# the folder with compose.yaml, nginx/ and .env (the GitLab deploy job copies them there):
#
#   sh deploy/update.sh registry.example.com/team/workhub:<commit>
#
# Migrations run first, while the old version still serves, so they must keep the old
# code working (add columns and tables; drop them a release later). Then the two web
# containers are replaced one at a time: nginx sends new requests to the other one, and a
# stopping container finishes the requests it has (granian's graceful stop). WebSockets on
# the replaced container reconnect to the other. The worker finishes its running jobs
# (WORKHUB_WORKER_GRACE_SECONDS) before it is replaced.
set -eu

image="${1:?usage: update.sh IMAGE}"
if grep -q '^WORKHUB_IMAGE=' .env; then
    sed -i "s|^WORKHUB_IMAGE=.*|WORKHUB_IMAGE=${image}|" .env
else
    printf 'WORKHUB_IMAGE=%s\n' "${image}" >> .env
fi

docker compose pull --quiet migrate app-1 app-2 worker
docker compose up -d --wait postgres redis
docker compose run --rm migrate
for web in app-1 app-2; do
    docker compose up -d --no-deps --wait "${web}"
done
docker compose up -d --no-deps worker
# nginx's files may have changed too: a reload keeps open connections.
docker compose up -d --no-deps --wait nginx
docker compose exec -T nginx nginx -s reload
docker image prune -f >/dev/null
echo "WorkHub now runs ${image}"
