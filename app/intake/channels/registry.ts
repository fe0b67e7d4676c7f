import type { ChannelAdapter } from '#intake/channels/channel_adapter'
import { meituanAdapter } from '#intake/channels/meituan_adapter'
import { elemeAdapter } from '#intake/channels/eleme_adapter'

/** Foreign order shapes the hub understands, by URL segment. */
export const channelAdapters: ReadonlyMap<string, ChannelAdapter> = new Map(
  [meituanAdapter, elemeAdapter].map((adapter) => [adapter.channel, adapter])
)
