/*
 * docker_names.h - Docker's container naming: which files are json-file
 * logs ("<dir>/<id>/<id>-json.log[.N][.gz]") and the container name that
 * Docker keeps in config.v2.json beside them.  Only paths and that one
 * file: knows nothing of sources, the store or the ingest pipeline, and
 * a missing or unreadable config is not an error (the caller falls back).
 */
#ifndef LOGTRIAGE_DOCKER_NAMES_H
#define LOGTRIAGE_DOCKER_NAMES_H

/* "<dir>/<id>/<id>-json.log[.N][.gz]": the container id, or NULL.  Caller frees. */
char *docker_container_id(const char *path);

/*
 * The container name ("Name", without its leading '/') in config.v2.json
 * beside the json-file log at path, or NULL.  Caller frees.
 */
char *docker_container_name(const char *path);

#endif
