// SPDX-License-Identifier: GPL-2.0
/*
 * axi_dma_loopback: a TEST-ONLY software dmaengine provider that behaves like a Xilinx
 * AXI DMA whose MM2S stream is looped back into its S2MM channel, with fault injection.
 *
 * QEMU's boards have no AXI DMA in their PL (its model exists but is wired only on
 * MicroBlaze/RISC-V machines), and their DMA models complete everything almost at once.
 * This provider lets the guest suite exercise, against the real dmaengine client API:
 *  - stream semantics: a "tx" (MEM_TO_DEV) descriptor sends one packet; an "rx"
 *    (DEV_TO_MEM) descriptor receives the next packet: shorter packets complete with a
 *    residue (like S2MM's partial completion), longer ones fill the buffer and report
 *    DMA_TRANS_WRITE_FAILED; rx waits while no packet has arrived;
 *  - memcpy on both channels;
 *  - faults, set at run time in /sys/module/axi_dma_loopback/parameters/: `hang` (accept
 *    descriptors, never complete them), `fail` (complete with DMA_TRANS_READ_FAILED) and
 *    `delay_us` (per descriptor, so transfers stay in flight long enough to cancel,
 *    interrupt or overflow the in-flight limit);
 *  - providers like pl330: `no_sync` hides device_synchronize (the channel then only goes
 *    quiet when released), and `cb_delay_us` delays each completion callback after the
 *    descriptor was marked complete, as pl330's tasklet calls callbacks with its lock
 *    dropped, so that a terminate on another CPU returns while a callback is due.
 * Completion callbacks run with bottom halves disabled, as from a real provider's tasklet,
 * so a client that sleeps in its callback is caught by DEBUG_ATOMIC_SLEEP.
 *
 * DT: dma_loop: dma-loopback { compatible = "linux,axi-dma-loopback"; #dma-cells = <1>; };
 * cell 0 = tx (MM2S), 1 = rx (S2MM). Not for real hardware.
 */
#include <linux/delay.h>
#include <linux/dma-direct.h>
#include <linux/dma-mapping.h>
#include <linux/dmaengine.h>
#include <linux/highmem.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/of.h>
#include <linux/of_dma.h>
#include <linux/platform_device.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/workqueue.h>

#include "dmaengine.h" /* drivers/dma: dma_get_slave_channel, callback helpers */

static bool hang;
module_param(hang, bool, 0644);
MODULE_PARM_DESC(hang, "Accept descriptors but never complete them");
static bool fail;
module_param(fail, bool, 0644);
MODULE_PARM_DESC(fail, "Complete every descriptor with DMA_TRANS_READ_FAILED");
static uint delay_us;
module_param(delay_us, uint, 0644);
MODULE_PARM_DESC(delay_us, "Delay before each descriptor completes, in microseconds");

static uint cb_delay_us;
module_param(cb_delay_us, uint, 0644);
MODULE_PARM_DESC(cb_delay_us, "Delay between completing a descriptor and calling its callback, in microseconds");

static struct lb_dev *lb_the_dev; /* the one device, for no_sync */
static bool no_sync;
static void lb_synchronize(struct dma_chan *chan);
static void lb_apply_no_sync(void);
static int lb_set_no_sync(const char *val, const struct kernel_param *kp)
{
	int ret = param_set_bool(val, kp);

	if (!ret)
		lb_apply_no_sync();
	return ret;
}
static const struct kernel_param_ops lb_no_sync_ops = { .set = lb_set_no_sync, .get = param_get_bool };
module_param_cb(no_sync, &lb_no_sync_ops, &no_sync, 0644);
MODULE_PARM_DESC(no_sync, "Offer no device_synchronize (like pl330): only releasing a channel waits for its callbacks");

#define LB_MAX_PACKETS 256

struct lb_packet {
	struct list_head node;
	size_t len;
	u8 data[];
};

struct lb_desc {
	struct dma_async_tx_descriptor tx;
	struct list_head node;
	enum dma_transfer_direction dir;
	dma_addr_t src, dst;
	size_t len;
};

struct lb_dev;

struct lb_chan {
	struct dma_chan chan;
	struct lb_dev *lb;
	enum dma_transfer_direction dir; /* MEM_TO_DEV (tx) or DEV_TO_MEM (rx) */
	spinlock_t lock;
	struct list_head submitted, issued;
	struct work_struct work;
	dma_cookie_t completed;
	unsigned long terminations; /* counts terminate_all: a descriptor taken before one is not put back */
};

struct lb_dev {
	struct dma_device dd;
	struct device *dev;
	struct lb_chan ch[2];
	spinlock_t pkt_lock;
	struct list_head packets;
	unsigned int npackets;
};

static struct lb_chan *to_lb(struct dma_chan *c) { return container_of(c, struct lb_chan, chan); }
static struct lb_desc *to_desc(struct dma_async_tx_descriptor *t) { return container_of(t, struct lb_desc, tx); }

/* Copy between the CPU view of a DMA address and a kernel buffer, page by page. */
static void lb_xfer_bytes(struct device *dev, dma_addr_t addr, void *buf, size_t len, bool to_dma)
{
	phys_addr_t phys = dma_to_phys(dev, addr);

	while (len) {
		size_t off = offset_in_page(phys), n = min_t(size_t, len, PAGE_SIZE - off);
		void *va = kmap_local_page(pfn_to_page(PHYS_PFN(phys)));

		if (to_dma)
			memcpy(va + off, buf, n);
		else
			memcpy(buf, va + off, n);
		kunmap_local(va);
		phys += n;
		buf += n;
		len -= n;
	}
}

static dma_cookie_t lb_submit(struct dma_async_tx_descriptor *tx)
{
	struct lb_chan *c = to_lb(tx->chan);
	unsigned long flags;
	dma_cookie_t cookie;

	spin_lock_irqsave(&c->lock, flags);
	cookie = c->chan.cookie + 1;
	if (cookie < DMA_MIN_COOKIE)
		cookie = DMA_MIN_COOKIE;
	c->chan.cookie = tx->cookie = cookie;
	list_add_tail(&to_desc(tx)->node, &c->submitted);
	spin_unlock_irqrestore(&c->lock, flags);
	return cookie;
}

static struct lb_desc *lb_alloc(struct dma_chan *chan, enum dma_transfer_direction dir,
				dma_addr_t src, dma_addr_t dst, size_t len, unsigned long flags)
{
	struct lb_desc *d = kzalloc(sizeof(*d), GFP_NOWAIT);

	if (!d || !len) {
		kfree(d);
		return NULL;
	}
	dma_async_tx_descriptor_init(&d->tx, chan);
	d->tx.flags = flags;
	d->tx.tx_submit = lb_submit;
	d->dir = dir;
	d->src = src;
	d->dst = dst;
	d->len = len;
	return d;
}

static struct dma_async_tx_descriptor *lb_prep_memcpy(struct dma_chan *chan, dma_addr_t dst,
						      dma_addr_t src, size_t len, unsigned long flags)
{
	struct lb_desc *d = lb_alloc(chan, DMA_MEM_TO_MEM, src, dst, len, flags);

	return d ? &d->tx : NULL;
}

static struct dma_async_tx_descriptor *lb_prep_slave_sg(struct dma_chan *chan, struct scatterlist *sgl,
							unsigned int sg_len, enum dma_transfer_direction dir,
							unsigned long flags, void *context)
{
	struct lb_chan *c = to_lb(chan);
	struct lb_desc *d;

	/* One segment per descriptor, in the channel's own direction: like AXI DMA simple mode. */
	if (sg_len != 1 || dir != c->dir)
		return NULL;
	d = lb_alloc(chan, dir, sg_dma_address(sgl), sg_dma_address(sgl), sg_dma_len(sgl), flags);
	return d ? &d->tx : NULL;
}

static void lb_complete(struct lb_chan *c, struct lb_desc *d, enum dmaengine_tx_result res, u32 residue)
{
	struct dmaengine_result r = { .result = res, .residue = residue };
	struct dmaengine_desc_callback cb;
	unsigned long flags;

	spin_lock_irqsave(&c->lock, flags);
	c->completed = d->tx.cookie;
	spin_unlock_irqrestore(&c->lock, flags);
	dmaengine_desc_get_callback(&d->tx, &cb);
	if (cb_delay_us)
		usleep_range(cb_delay_us, cb_delay_us + 10);
	local_bh_disable(); /* callbacks run in atomic context on real providers */
	dmaengine_desc_callback_invoke(&cb, &r);
	local_bh_enable();
	kfree(d);
}

/* Runs one descriptor; returns false if an rx must wait for a packet. */
static bool lb_run(struct lb_chan *c, struct lb_desc *d)
{
	struct lb_dev *lb = c->lb;
	struct lb_packet *p;
	unsigned long flags;

	if (fail) {
		lb_complete(c, d, DMA_TRANS_READ_FAILED, d->len);
		return true;
	}
	switch (d->dir) {
	case DMA_MEM_TO_MEM: {
		void *tmp = kvmalloc(d->len, GFP_KERNEL);

		if (!tmp) {
			lb_complete(c, d, DMA_TRANS_READ_FAILED, d->len);
			return true;
		}
		lb_xfer_bytes(lb->dev, d->src, tmp, d->len, false);
		lb_xfer_bytes(lb->dev, d->dst, tmp, d->len, true);
		kvfree(tmp);
		lb_complete(c, d, DMA_TRANS_NOERROR, 0);
		return true;
	}
	case DMA_MEM_TO_DEV:
		p = kvmalloc(struct_size(p, data, d->len), GFP_KERNEL);
		if (!p) {
			lb_complete(c, d, DMA_TRANS_READ_FAILED, d->len);
			return true;
		}
		p->len = d->len;
		lb_xfer_bytes(lb->dev, d->src, p->data, d->len, false);
		spin_lock_irqsave(&lb->pkt_lock, flags);
		if (lb->npackets >= LB_MAX_PACKETS) {
			spin_unlock_irqrestore(&lb->pkt_lock, flags);
			kvfree(p);
			return false; /* back-pressure: the stream stalls until rx drains it */
		}
		list_add_tail(&p->node, &lb->packets);
		lb->npackets++;
		spin_unlock_irqrestore(&lb->pkt_lock, flags);
		lb_complete(c, d, DMA_TRANS_NOERROR, 0);
		queue_work(system_unbound_wq, &lb->ch[1].work);
		return true;
	case DMA_DEV_TO_MEM:
		spin_lock_irqsave(&lb->pkt_lock, flags);
		p = list_first_entry_or_null(&lb->packets, struct lb_packet, node);
		if (p) {
			list_del(&p->node);
			lb->npackets--;
		}
		spin_unlock_irqrestore(&lb->pkt_lock, flags);
		if (!p)
			return false;
		queue_work(system_unbound_wq, &lb->ch[0].work); /* tx may be stalled on a full FIFO */
		lb_xfer_bytes(lb->dev, d->dst, p->data, min(p->len, d->len), true);
		if (p->len <= d->len)
			lb_complete(c, d, DMA_TRANS_NOERROR, d->len - p->len);
		else
			lb_complete(c, d, DMA_TRANS_WRITE_FAILED, 0);
		kvfree(p);
		return true;
	default:
		lb_complete(c, d, DMA_TRANS_READ_FAILED, d->len);
		return true;
	}
}

static void lb_work(struct work_struct *w)
{
	struct lb_chan *c = container_of(w, struct lb_chan, work);
	struct lb_desc *d;
	unsigned long flags, gen;

	for (;;) {
		if (hang)
			return;
		spin_lock_irqsave(&c->lock, flags);
		d = list_first_entry_or_null(&c->issued, struct lb_desc, node);
		if (d)
			list_del_init(&d->node);
		gen = c->terminations;
		spin_unlock_irqrestore(&c->lock, flags);
		if (!d)
			return;
		if (delay_us)
			usleep_range(delay_us, delay_us + 10);
		if (!lb_run(c, d)) {
			/*
			 * Put it back at the head; a later packet or rx kicks us again. Unless the
			 * channel was terminated meanwhile: like a real engine's, a terminated
			 * channel holds nothing afterwards (a waiting rx must not take a later
			 * packet into memory its client has freed).
			 */
			spin_lock_irqsave(&c->lock, flags);
			if (c->terminations == gen) {
				list_add(&d->node, &c->issued);
				d = NULL;
			}
			spin_unlock_irqrestore(&c->lock, flags);
			kfree(d);
			return;
		}
	}
}

static void lb_issue_pending(struct dma_chan *chan)
{
	struct lb_chan *c = to_lb(chan);
	unsigned long flags;

	spin_lock_irqsave(&c->lock, flags);
	list_splice_tail_init(&c->submitted, &c->issued);
	spin_unlock_irqrestore(&c->lock, flags);
	queue_work(system_unbound_wq, &c->work);
}

static enum dma_status lb_tx_status(struct dma_chan *chan, dma_cookie_t cookie, struct dma_tx_state *st)
{
	struct lb_chan *c = to_lb(chan);
	enum dma_status s = dma_async_is_complete(cookie, c->completed, chan->cookie);

	if (st) {
		st->last = c->completed;
		st->used = chan->cookie;
		st->residue = 0;
	}
	return s;
}

static int lb_terminate_all(struct dma_chan *chan)
{
	struct lb_chan *c = to_lb(chan);
	struct lb_desc *d, *n;
	unsigned long flags;
	LIST_HEAD(drop);

	spin_lock_irqsave(&c->lock, flags);
	list_splice_init(&c->submitted, &drop);
	list_splice_init(&c->issued, &drop);
	c->terminations++;
	c->completed = chan->cookie;
	spin_unlock_irqrestore(&c->lock, flags);
	list_for_each_entry_safe(d, n, &drop, node)
		kfree(d);
	return 0;
}

static void lb_synchronize(struct dma_chan *chan)
{
	flush_work(&to_lb(chan)->work);
}

static DEFINE_MUTEX(lb_dev_lock);
static void lb_apply_no_sync(void)
{
	mutex_lock(&lb_dev_lock);
	if (lb_the_dev)
		lb_the_dev->dd.device_synchronize = no_sync ? NULL : lb_synchronize;
	mutex_unlock(&lb_dev_lock);
}

/* Like pl330_free_chan_resources(): whatever the callback flags, nothing runs after this. */
static void lb_free_chan_resources(struct dma_chan *chan)
{
	lb_terminate_all(chan);
	lb_synchronize(chan);
}

/* Each channel streams one way (and copies), as each channel of an AXI DMA does. */
static void lb_caps(struct dma_chan *chan, struct dma_slave_caps *caps)
{
	caps->directions = BIT(to_lb(chan)->dir) | BIT(DMA_MEM_TO_MEM);
}

static struct dma_chan *lb_xlate(struct of_phandle_args *args, struct of_dma *ofdma)
{
	struct lb_dev *lb = ofdma->of_dma_data;

	if (args->args_count != 1 || args->args[0] > 1)
		return NULL;
	return dma_get_slave_channel(&lb->ch[args->args[0]].chan);
}

static int lb_probe(struct platform_device *pdev)
{
	struct lb_dev *lb;
	int i, ret;

	lb = devm_kzalloc(&pdev->dev, sizeof(*lb), GFP_KERNEL);
	if (!lb)
		return -ENOMEM;
	lb->dev = &pdev->dev;
	spin_lock_init(&lb->pkt_lock);
	INIT_LIST_HEAD(&lb->packets);
	ret = dma_coerce_mask_and_coherent(&pdev->dev, DMA_BIT_MASK(32));
	if (ret)
		return ret;

	dma_cap_set(DMA_MEMCPY, lb->dd.cap_mask);
	dma_cap_set(DMA_SLAVE, lb->dd.cap_mask);
	dma_cap_set(DMA_PRIVATE, lb->dd.cap_mask);
	lb->dd.dev = &pdev->dev;
	/* Like an AXI DMA with a 23-bit length register: segments of up to 4 MiB (without
	 * this the device would claim the 64 KiB default, and dma-bufs of larger segments
	 * mapped for it would make DMA-API debugging warn). */
	dma_set_max_seg_size(&pdev->dev, SZ_4M);
	lb->dd.device_prep_dma_memcpy = lb_prep_memcpy;
	lb->dd.device_prep_slave_sg = lb_prep_slave_sg;
	lb->dd.device_issue_pending = lb_issue_pending;
	lb->dd.device_tx_status = lb_tx_status;
	lb->dd.device_terminate_all = lb_terminate_all;
	lb->dd.device_synchronize = lb_synchronize;
	lb->dd.device_free_chan_resources = lb_free_chan_resources;
	lb->dd.device_caps = lb_caps;
	lb->dd.directions = BIT(DMA_MEM_TO_DEV) | BIT(DMA_DEV_TO_MEM) | BIT(DMA_MEM_TO_MEM);
	lb->dd.src_addr_widths = lb->dd.dst_addr_widths = BIT(DMA_SLAVE_BUSWIDTH_4_BYTES) | BIT(DMA_SLAVE_BUSWIDTH_8_BYTES);
	lb->dd.residue_granularity = DMA_RESIDUE_GRANULARITY_DESCRIPTOR;
	INIT_LIST_HEAD(&lb->dd.channels);
	for (i = 0; i < 2; i++) {
		struct lb_chan *c = &lb->ch[i];

		c->lb = lb;
		c->dir = i ? DMA_DEV_TO_MEM : DMA_MEM_TO_DEV;
		spin_lock_init(&c->lock);
		INIT_LIST_HEAD(&c->submitted);
		INIT_LIST_HEAD(&c->issued);
		INIT_WORK(&c->work, lb_work);
		c->chan.device = &lb->dd;
		list_add_tail(&c->chan.device_node, &lb->dd.channels);
	}
	ret = dmaenginem_async_device_register(&lb->dd);
	if (ret)
		return ret;
	ret = of_dma_controller_register(pdev->dev.of_node, lb_xlate, lb);
	if (ret)
		return ret;
	platform_set_drvdata(pdev, lb);
	mutex_lock(&lb_dev_lock);
	lb_the_dev = lb;
	mutex_unlock(&lb_dev_lock);
	lb_apply_no_sync();
	dev_info(&pdev->dev, "TEST-ONLY loopback DMA provider: tx (MM2S) -> rx (S2MM)\n");
	return 0;
}

static void lb_remove(struct platform_device *pdev)
{
	struct lb_dev *lb = platform_get_drvdata(pdev);
	struct lb_packet *p, *n;

	mutex_lock(&lb_dev_lock);
	lb_the_dev = NULL;
	mutex_unlock(&lb_dev_lock);
	of_dma_controller_free(pdev->dev.of_node);
	list_for_each_entry_safe(p, n, &lb->packets, node)
		kvfree(p);
}

static const struct of_device_id lb_of_match[] = {
	{ .compatible = "linux,axi-dma-loopback" },
	{ }
};
MODULE_DEVICE_TABLE(of, lb_of_match);

static struct platform_driver lb_driver = {
	.probe = lb_probe,
	.remove = lb_remove,
	.driver = { .name = "axi_dma_loopback", .of_match_table = lb_of_match },
};
module_platform_driver(lb_driver);

MODULE_DESCRIPTION("TEST-ONLY software AXI DMA loopback dmaengine provider");
MODULE_LICENSE("GPL");
