/**
 * What the image runs and as whom: one definition for scripts/build-image.sh, the OCI runtime
 * bundle of the tests, and (checked by test/unit/image/dockerfile-consistency.test.ts) the
 * Dockerfile. The uid/gid and paths are the ones manifests/deployment.yaml mounts and runs as.
 */
export const IMAGE_USER = { uid: 65532, gid: 65532, name: 'nonroot' } as const;
export const APP_DIR = '/app';
export const NODE_PATH = '/usr/local/bin/node';
export const ENTRYPOINT = [NODE_PATH, `${APP_DIR}/bin/portcullis.js`] as const;
export const CONFIG_FILE = '/etc/portcullis/config/portcullis.yaml';
export const CMD = ['serve', '--config', CONFIG_FILE] as const;
export const ENV = ['PATH=/usr/local/bin:/usr/bin:/bin', 'NODE_ENV=production'] as const;
export const EXPOSED_PORTS = ['8443/tcp', '9090/tcp'] as const;
/** The repository the manifests reference (manifests/deployment.yaml). */
export const IMAGE_REPOSITORY = 'ghcr.io/portcullis-dev/portcullis';
