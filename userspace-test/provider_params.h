/* SPDX-License-Identifier: MIT */
/*
 * The test-only loopback provider's fault injection (test-provider/axi_dma_loopback.c,
 * /sys/module/axi_dma_loopback/parameters), shared by the test programs.
 */
#ifndef AXI_DMA_PROVIDER_PARAMS_H
#define AXI_DMA_PROVIDER_PARAMS_H

/* Writes `val` to parameter `name`: 0 or -errno. */
int set_param(const char *name, const char *val);
/* No hang, no failure, no delay. */
void reset_params(void);

#endif
