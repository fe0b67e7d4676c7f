/**
 * SF Same-city (顺丰同城) emulator: `POST /sf_same_city/open/api/external/<call>?sign=`
 * with a JSON body, answered as `{error_code, error_msg, result}` in fen and GCJ-02.
 *
 * The signature is re-implemented here from the carrier's documentation (not imported
 * from the plugin): `base64(md5hex(rawBody + "&" + dev_id + "&" + dev_key))`. The
 * plugin's fixtures hold vectors computed a third way, so the three must agree.
 *
 * Sandbox account: accountKey = dev_id; credentials `dev_key`, `shop_id`, and the
 * registered shop's `shop_lat`/`shop_lng` (used when a request carries no `shop`).
 */
import { createHash } from 'node:crypto'
import {
  DeliveryStateError,
  type CarrierEmulator,
  type EmulatorContext,
  type SandboxAccount,
  type SandboxDelivery,
  type SandboxDeliveryState,
  type SandboxErrorKind,
  type SandboxRequest,
  type SandboxResponse,
  type SignedCallback,
} from '#sandbox/emulator'

type CallbackOptions = Parameters<CarrierEmulator['callback']>[3]

const CARRIER = 'sf_same_city'

/** error_code values this emulator answers with (the plugin's units.ts mirrors them). */
const ERR = {
  busy: [1000, '系统繁忙，请稍后重试'],
  params: [1001, '参数错误'],
  sign: [1002, '签名校验失败'],
  devId: [1003, 'dev_id 无效或未授权该店铺'],
  notFound: [2001, '订单不存在'],
  state: [2004, '订单当前状态不可操作'],
  capacity: [3002, '当前运力不足，请稍后再试'],
  range: [3006, '超出配送范围'],
} as const satisfies Record<string, readonly [number, string]>

type ErrorKey = keyof typeof ERR

/** order_status and its text per sandbox state (SF has one code for picked up and on the way). */
const STATUS: Record<SandboxDeliveryState, [number, string]> = {
  waiting: [1, '订单已创建'],
  accepted: [10, '配送员已接单'],
  arrived: [12, '配送员已到店'],
  picked_up: [15, '配送员配送中'],
  delivering: [15, '配送员配送中'],
  delivered: [17, '配送员已送达'],
  cancelled: [2, '订单已取消'],
}
const REDISPATCH: [number, string] = [22, '配送员撤单，重新派单']

export const SF_SANDBOX_ACCOUNT = {
  accountKey: '1690000001',
  credentials: {
    dev_key: 'sandbox-sf-dev-key-0001',
    shop_id: 'sandbox-sf-shop-01',
    shop_lat: '31.230416',
    shop_lng: '121.473701',
  },
}

type Body = Record<string, unknown>

class SfFailure extends Error {
  constructor(readonly key: ErrorKey) {
    super(ERR[key][1])
  }
}

/** Exported for the signature test vectors only. */
export function sfSign(body: string, devId: string, devKey: string): string {
  const hex = createHash('md5').update(`${body}&${devId}&${devKey}`, 'utf8').digest('hex')
  return Buffer.from(hex, 'utf8').toString('base64')
}

const unix = (date: Date) => Math.floor(date.getTime() / 1000)
const coordinate = (value: number) => value.toFixed(6)

function json(status: number, body: unknown): SandboxResponse {
  return { status, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }
}

const ok = (result: Body) => json(200, { error_code: 0, error_msg: 'success', result })
const fail = (key: ErrorKey) =>
  json(200, { error_code: ERR[key][0], error_msg: ERR[key][1], error_data: null })

function point(lat: unknown, lng: unknown): { lat: number; lng: number } {
  const parsed = { lat: Number(lat), lng: Number(lng) }
  if (!Number.isFinite(parsed.lat) || !Number.isFinite(parsed.lng)) throw new SfFailure('params')
  return parsed
}

/** The order's status as SF reports it; a `waiting` after an acceptance is a rider's withdrawal. */
function statusOf(delivery: SandboxDelivery): [number, string] {
  const accepted = delivery.history.some((entry) => entry.state === 'accepted')
  if (delivery.state === 'waiting' && accepted) return REDISPATCH
  return STATUS[delivery.state]
}

export class SfSameCityEmulator implements CarrierEmulator {
  readonly carrier = CARRIER

  defaultAccount() {
    return {
      accountKey: SF_SANDBOX_ACCOUNT.accountKey,
      credentials: { ...SF_SANDBOX_ACCOUNT.credentials },
    }
  }

  errorResponse(kind: SandboxErrorKind): SandboxResponse {
    const [code, message] = ERR.busy
    return json(kind === 'unavailable' ? 503 : 500, { error_code: code, error_msg: message })
  }

  handle(request: SandboxRequest, ctx: EmulatorContext): SandboxResponse {
    const call = /^\/open\/api\/external\/([a-z0-9]+)$/.exec(request.path)?.[1]
    if (request.method !== 'POST' || !call)
      return json(404, { error_code: 404, error_msg: 'not found' })
    let body: Body
    try {
      body = JSON.parse(request.rawBody)
    } catch {
      return fail('params')
    }
    const devId = String(body.dev_id ?? '')
    const account = ctx.account(CARRIER, devId)
    if (!account) return fail('devId')
    const given = request.query.sign ?? ''
    if (given !== sfSign(request.rawBody, devId, account.credentials.dev_key ?? ''))
      return fail('sign')
    if (body.shop_id !== undefined && String(body.shop_id) !== account.credentials.shop_id) {
      return fail('devId')
    }
    try {
      return ok(this.#route(call, body, account, ctx))
    } catch (error) {
      if (error instanceof SfFailure) return fail(error.key)
      if (error instanceof DeliveryStateError) return fail('state')
      if (error instanceof RangeError) return fail('params')
      throw error
    }
  }

  #route(call: string, body: Body, account: SandboxAccount, ctx: EmulatorContext): Body {
    switch (call) {
      case 'precreateorder':
        return this.#precreate(body, account, ctx)
      case 'createorder':
        return this.#create(body, account, ctx)
      case 'precancelorder':
        return this.#precancel(this.#delivery(body, account, ctx), ctx)
      case 'cancelorder':
        return this.#cancel(this.#delivery(body, account, ctx), body, ctx)
      case 'addordergratuityfee':
        return this.#tip(this.#delivery(body, account, ctx), body, ctx)
      case 'getorderstatus':
        return this.#status(this.#delivery(body, account, ctx), ctx)
      case 'riderlatestposition':
        return this.#position(this.#delivery(body, account, ctx), ctx)
      default:
        throw new SfFailure('params')
    }
  }

  /** The sending shop: the request's `shop` object, else the shop registered with the account. */
  #from(body: Body, account: SandboxAccount) {
    const shop = body.shop as Body | undefined
    return shop
      ? point(shop.shop_lat, shop.shop_lng)
      : point(account.credentials.shop_lat, account.credentials.shop_lng)
  }

  #quote(
    body: Body,
    to: { lat: number; lng: number },
    weightG: unknown,
    account: SandboxAccount,
    ctx: EmulatorContext
  ) {
    const quote = ctx.quote({
      carrier: CARRIER,
      city: String((body.receive as Body | undefined)?.city_name ?? body.city_name ?? ''),
      from: this.#from(body, account),
      to,
      weightG: Number(weightG) || 1000,
      at: ctx.now(),
    })
    if (!quote.ok) throw new SfFailure(quote.reason === 'no_capacity' ? 'capacity' : 'range')
    return quote
  }

  #precreate(body: Body, account: SandboxAccount, ctx: EmulatorContext): Body {
    const quote = this.#quote(body, point(body.user_lat, body.user_lng), body.weight, account, ctx)
    const pushTime = unix(ctx.now())
    return {
      total_price: quote.feeFen,
      real_pay_money: quote.feeFen,
      delivery_distance_meter: quote.distanceM,
      expect_pickup_time: pushTime + quote.pickupEtaS,
      expect_time: pushTime + quote.dropoffEtaS,
      push_time: pushTime,
    }
  }

  /** shop_order_id is the retry key: a second createorder returns the first order. */
  #create(body: Body, account: SandboxAccount, ctx: EmulatorContext): Body {
    const shopOrderId = String(body.shop_order_id ?? '')
    const receive = body.receive as Body | undefined
    const detail = body.order_detail as Body | undefined
    if (!shopOrderId || !receive || !detail) throw new SfFailure('params')
    let delivery = ctx.findDelivery(CARRIER, shopOrderId)
    if (delivery && delivery.accountKey !== account.accountKey) throw new SfFailure('params')
    if (!delivery) {
      const to = point(receive.user_lat, receive.user_lng)
      const quote = this.#quote(body, to, detail.weight_gram, account, ctx)
      const created = ctx.createDelivery({
        carrier: CARRIER,
        accountKey: account.accountKey,
        clientOrderId: shopOrderId,
        quoteToken: quote.token,
        feeFen: quote.feeFen,
        from: this.#from(body, account),
        to,
        city: String(receive.city_name ?? ''),
        extra: { distanceM: quote.distanceM },
      })
      delivery = created.delivery
      const gratuity = Number(body.gratuity_fee ?? 0)
      if (created.created && gratuity > 0) ctx.addTip(delivery, gratuity)
    }
    return {
      sf_order_id: delivery.carrierOrderId,
      sf_bill_id: delivery.carrierOrderId,
      shop_order_id: delivery.clientOrderId,
      total_price: delivery.feeFen,
      real_pay_money: delivery.feeFen,
      delivery_distance_meter: Number(delivery.extra.distanceM ?? 0),
      push_time: unix(ctx.now()),
    }
  }

  /** order_type 1 = SF's order id, 2 = the shop's order id. */
  #delivery(body: Body, account: SandboxAccount, ctx: EmulatorContext): SandboxDelivery {
    const delivery = ctx.findDelivery(CARRIER, String(body.order_id ?? ''))
    if (!delivery || delivery.accountKey !== account.accountKey) throw new SfFailure('notFound')
    return delivery
  }

  #orderIds(delivery: SandboxDelivery, ctx: EmulatorContext): Body {
    return {
      sf_order_id: delivery.carrierOrderId,
      shop_order_id: delivery.clientOrderId,
      push_time: unix(ctx.now()),
    }
  }

  #precancel(delivery: SandboxDelivery, ctx: EmulatorContext): Body {
    if (delivery.state === 'delivered' || delivery.state === 'cancelled')
      throw new SfFailure('state')
    return {
      ...this.#orderIds(delivery, ctx),
      deduction_detail: { deduction_fee: ctx.cancellationFeeFen(delivery) },
    }
  }

  #cancel(delivery: SandboxDelivery, body: Body, ctx: EmulatorContext): Body {
    const { feeFen } = ctx.cancelDelivery(delivery, String(body.cancel_reason || '商家发起取消'))
    return { ...this.#orderIds(delivery, ctx), deduction_detail: { deduction_fee: feeFen } }
  }

  #tip(delivery: SandboxDelivery, body: Body, ctx: EmulatorContext): Body {
    ctx.addTip(delivery, Number(body.gratuity_fee))
    return { ...this.#orderIds(delivery, ctx), total_gratuity_fee: delivery.tipFen }
  }

  #status(delivery: SandboxDelivery, ctx: EmulatorContext): Body {
    const [code, text] = statusOf(delivery)
    const rider = delivery.rider
    return {
      ...this.#orderIds(delivery, ctx),
      order_status: code,
      status_desc: text,
      ...(rider ? { rider_name: rider.name, rider_phone: rider.phone } : {}),
    }
  }

  #position(delivery: SandboxDelivery, ctx: EmulatorContext): Body {
    const position = ctx.riderPosition(delivery)
    if (!position || !delivery.rider) throw new SfFailure('state')
    return {
      ...this.#orderIds(delivery, ctx),
      rider_name: delivery.rider.name,
      rider_phone: delivery.rider.phone,
      rider_lng: coordinate(position.lng),
      rider_lat: coordinate(position.lat),
      upload_time: unix(position.at),
    }
  }

  /**
   * SF posts the changed order to the account's callback URL with `?sign=` over the
   * body. No callback for a fresh order (SF does not announce creation) or for
   * `delivering`, which SF does not tell apart from the pickup.
   */
  callback(
    delivery: SandboxDelivery,
    account: SandboxAccount,
    at: Date,
    options: CallbackOptions
  ): SignedCallback | null {
    if (!account.callbackUrl) return null
    const fresh =
      delivery.state === 'waiting' && !delivery.history.some((e) => e.state === 'accepted')
    if (fresh || delivery.state === 'delivering') return null
    const [code, text] = statusOf(delivery)
    const rider = delivery.rider
    const byCarrier = delivery.cancellation?.by === 'carrier'
    const body = JSON.stringify({
      sf_order_id: delivery.carrierOrderId,
      shop_order_id: delivery.clientOrderId,
      url_index:
        code === 17 ? 'order_complete' : code === 2 && byCarrier ? 'sf_cancel' : 'rider_status',
      order_status: code,
      status_desc: text,
      ...(rider
        ? {
            operator_name: rider.name,
            operator_phone: rider.phone,
            rider_lng: coordinate(rider.lng),
            rider_lat: coordinate(rider.lat),
          }
        : {}),
      ...(code === 2 ? { cancel_reason: delivery.cancellation?.reason ?? '' } : {}),
      // Carriers stamp pushes with their real clock, not the sandbox's fast one.
      push_time: unix(options.sentAt ?? at),
    })
    const key = (account.credentials.dev_key ?? '') + (options.forgeSignature ? '-forged' : '')
    const separator = account.callbackUrl.includes('?') ? '&' : '?'
    return {
      url: `${account.callbackUrl}${separator}sign=${encodeURIComponent(sfSign(body, account.accountKey, key))}`,
      headers: { 'content-type': 'application/json' },
      body,
    }
  }
}

export default new SfSameCityEmulator()
