// SPDX-License-Identifier: MIT
#include <errno.h>
#include <stdio.h>

#include "provider_params.h"

int set_param(const char *name, const char *val)
{
	char path[128];
	FILE *f;

	snprintf(path, sizeof(path), "/sys/module/axi_dma_loopback/parameters/%s", name);
	f = fopen(path, "w");
	if (!f)
		return -errno;
	fputs(val, f);
	return fclose(f) ? -errno : 0;
}

void reset_params(void)
{
	set_param("hang", "0");
	set_param("fail", "0");
	set_param("delay_us", "0");
}
