/*
 * docker_names.c - the name of a Docker json-file log's container, read
 * from the config.v2.json beside it; see docker_names.h.
 */
#include "docker_names.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cjson/cJSON.h>

#include "util.h"

/* config.v2.json files larger than this are not read. */
#define CONFIG_MAX	(4 * 1024 * 1024)

static int
is_config_name_char(int ch)
{
	return ch != '/' && ch != '\0';
}

char *
docker_container_id(const char *path)
{
	const char *base, *dir, *p;
	size_t idlen;

	if ((base = strrchr(path, '/')) == NULL || base == path)
		return NULL;
	for (dir = base - 1; dir > path && dir[-1] != '/'; dir--)
		;
	idlen = (size_t)(base - dir);
	base++;
	if (idlen == 0 || strncmp(base, dir, idlen) != 0 ||
	    strncmp(base + idlen, "-json.log", 9) != 0)
		return NULL;
	for (p = dir; p < dir + idlen; p++) {
		if (!is_config_name_char((unsigned char)*p))
			return NULL;
	}
	p = base + idlen + 9;
	if (*p != '\0' && *p != '.')
		return NULL;
	return xstrndup(dir, idlen);
}

char *
docker_container_name(const char *path)
{
	const cJSON *name;
	cJSON *root;
	struct stat sb;
	FILE *fp;
	char *cfg, *data, *res = NULL;
	size_t dirlen = (size_t)(strrchr(path, '/') - path), n;

	cfg = xasprintf("%.*s/config.v2.json", (int)dirlen, path);
	fp = fopen(cfg, "rb");
	free(cfg);
	if (fp == NULL)
		return NULL;
	if (fstat(fileno(fp), &sb) != 0 || sb.st_size <= 0 || sb.st_size > CONFIG_MAX) {
		fclose(fp);
		return NULL;
	}
	data = xmalloc((size_t)sb.st_size + 1);
	n = fread(data, 1, (size_t)sb.st_size, fp);
	fclose(fp);
	data[n] = '\0';
	root = cJSON_ParseWithLength(data, n);
	free(data);
	name = cJSON_GetObjectItemCaseSensitive(root, "Name");
	if (cJSON_IsString(name) && name->valuestring != NULL) {
		const char *v = name->valuestring;

		if (*v == '/')
			v++;
		if (*v != '\0')
			res = xstrdup(v);
	}
	cJSON_Delete(root);
	return res;
}
