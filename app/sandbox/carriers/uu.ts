/**
 * UU Paotui (UU 跑腿) emulator: `POST /uu/v2_0/<call>.ashx` with flat form parameters,
 * answered as flat JSON with `return_code` ("ok" or an error code), money in yuan
 * strings and BD-09 coordinates. Answers are signed like requests, as UU does.
 *
 * The signature is re-implemented here from UU's documentation (not imported from the
 * plugin): `UPPER(MD5(UPPER("k=v&…&key=" + appKey)))` over the non-empty parameters in
 * ASCII key order, `sign` excluded.
 *
 * Sandbox account: accountKey = appid; credentials `app_key`, `openid`.
 */
import { createHash } from 'node:crypto'
import { bd09ToGcj02, gcj02ToBd09 } from '#sdk/coordinates'
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

const CARRIER = 'uu'

/** return_code values this emulator answers with (the plugin's units.ts mirrors them). */
const ERR = {
  params: ['-101', '参数格式校验错误'],
  appid: ['-103', 'appid无效'],
  sign: ['-104', '签名校验失败'],
  openid: ['-105', 'openid无效'],
  city: ['-1003', '无法获取订单城市相关信息'],
  capacity: ['-1007', '附近暂无跑男，请稍后再试'],
  token: ['-2001', 'price_token无效'],
  phone: ['-2003', '收货人电话格式错误'],
  orderPrice: ['-2006', 'order_price错误'],
  payMoney: ['-2007', 'balance_paymoney错误'],
  reason: ['-4001', '取消原因不能为空'],
  order: ['-4002', '订单编号无效'],
  state: ['-4003', '订单当前状态不可操作'],
  busy: ['-10001', '发送频率过快，请稍候重试'],
} as const satisfies Record<string, readonly [string, string]>

type ErrorKey = keyof typeof ERR

const STATE: Record<SandboxDeliveryState, [string, string]> = {
  waiting: ['1', '下单成功'],
  accepted: ['3', '跑男抢单'],
  arrived: ['4', '已到达'],
  picked_up: ['5', '已取件'],
  delivering: ['6', '到达目的地'],
  delivered: ['10', '收件人已收货'],
  cancelled: ['-1', '订单取消'],
}

export const UU_SANDBOX_ACCOUNT = {
  accountKey: 'sandbox-uu-appid-0001',
  credentials: { app_key: 'sandbox-uu-app-key-0001', openid: 'sandbox-uu-openid-0001' },
}

type Fields = Record<string, string>

class UuFailure extends Error {
  constructor(readonly key: ErrorKey) {
    super(ERR[key][1])
  }
}

/** Exported for the signature test vectors only. */
export function uuSign(fields: Record<string, string>, appKey: string): string {
  const pairs = Object.keys(fields)
    .filter((key) => key !== 'sign' && fields[key] !== '')
    .sort()
    .map((key) => `${key}=${fields[key]}`)
  const plain = `${pairs.join('&')}&key=${appKey}`.toUpperCase()
  return createHash('md5').update(plain, 'utf8').digest('hex').toUpperCase()
}

/** Fen to a two-decimal yuan string with integer arithmetic. */
function yuan(fen: number): string {
  return `${Math.floor(fen / 100)}.${String(fen % 100).padStart(2, '0')}`
}

/** A yuan string to fen, refusing anything but plain decimals with at most two places. */
function fenOf(text: string | undefined): number {
  const match = /^(\d+)(?:\.(\d{1,2}))?$/.exec(text ?? '')
  if (!match) throw new UuFailure('params')
  return Number(match[1]) * 100 + Number((match[2] ?? '').padEnd(2, '0'))
}

function fromBd09(lat: string | undefined, lng: string | undefined) {
  const point = { lat: Number(lat), lng: Number(lng) }
  if (!lat || !lng || !Number.isFinite(point.lat) || !Number.isFinite(point.lng)) {
    throw new UuFailure('params')
  }
  return bd09ToGcj02(point)
}

/** "lng,lat" in BD-09, UU's format for a runner's position. */
function bd09Location(point: { lat: number; lng: number }): string {
  const bd = gcj02ToBd09(point)
  return `${bd.lng.toFixed(6)},${bd.lat.toFixed(6)}`
}

export class UuEmulator implements CarrierEmulator {
  readonly carrier = CARRIER

  defaultAccount() {
    return {
      accountKey: UU_SANDBOX_ACCOUNT.accountKey,
      credentials: { ...UU_SANDBOX_ACCOUNT.credentials },
    }
  }

  errorResponse(kind: SandboxErrorKind): SandboxResponse {
    return this.#json(kind === 'unavailable' ? 503 : 500, null, {
      return_code: ERR.busy[0],
      return_msg: ERR.busy[1],
    })
  }

  handle(request: SandboxRequest, ctx: EmulatorContext): SandboxResponse {
    const call = /^\/v2_0\/([a-z]+)\.ashx$/.exec(request.path)?.[1]
    if (request.method !== 'POST' || !call)
      return this.#json(404, null, { return_code: '-404', return_msg: 'not found' })
    const fields: Fields = Object.fromEntries(new URLSearchParams(request.rawBody))
    const account = ctx.account(CARRIER, fields.appid ?? '')
    if (!account) return this.#fail('appid', null)
    if (!fields.nonce_str || !fields.timestamp) return this.#fail('params', account)
    if ((fields.sign ?? '').toUpperCase() !== uuSign(fields, account.credentials.app_key ?? '')) {
      return this.#fail('sign', account)
    }
    if (fields.openid !== account.credentials.openid) return this.#fail('openid', account)
    try {
      return this.#json(200, account, {
        ...this.#route(call, fields, account, ctx),
        return_code: 'ok',
        return_msg: '',
      })
    } catch (error) {
      if (error instanceof UuFailure) return this.#fail(error.key, account)
      if (error instanceof DeliveryStateError) return this.#fail('state', account)
      if (error instanceof RangeError) return this.#fail('params', account)
      throw error
    }
  }

  #route(call: string, fields: Fields, account: SandboxAccount, ctx: EmulatorContext): Fields {
    switch (call) {
      case 'getorderprice':
        return this.#price(fields, ctx)
      case 'addorder':
        return this.#add(fields, account, ctx)
      case 'gethomeservicefee':
        return this.#penalty(this.#delivery(fields, account, ctx), ctx)
      case 'cancelorder':
        return this.#cancel(this.#delivery(fields, account, ctx), fields, ctx)
      case 'payonlinefee':
        return this.#tip(this.#delivery(fields, account, ctx), fields, ctx)
      case 'getorderdetail':
        return this.#detail(this.#delivery(fields, account, ctx), ctx)
      default:
        throw new UuFailure('params')
    }
  }

  /** UU v2 quotes take no weight; the market prices a 1 kg parcel. */
  #price(fields: Fields, ctx: EmulatorContext): Fields {
    if (!fields.city_name || !fields.from_address || !fields.to_address)
      throw new UuFailure('params')
    const quote = ctx.quote({
      carrier: CARRIER,
      city: fields.city_name,
      from: fromBd09(fields.from_lat, fields.from_lng),
      to: fromBd09(fields.to_lat, fields.to_lng),
      weightG: 1000,
      at: ctx.now(),
      orderKey: fields.origin_id || undefined,
    })
    if (!quote.ok) throw new UuFailure(quote.reason === 'no_capacity' ? 'capacity' : 'city')
    const wallNow = ctx.wallNow?.() ?? new Date()
    return {
      origin_id: fields.origin_id ?? '',
      price_token: quote.token,
      total_money: yuan(quote.feeFen),
      need_paymoney: yuan(quote.feeFen),
      total_priceoff: '0.00',
      freight_money: yuan(quote.feeFen),
      distance: String(quote.distanceM),
      expires_in: String(
        Math.max(0, Math.floor((quote.expiresAt.getTime() - wallNow.getTime()) / 1000))
      ),
    }
  }

  /** price_token is the retry key: a second addorder with it returns the first order. */
  #add(fields: Fields, account: SandboxAccount, ctx: EmulatorContext): Fields {
    const token = fields.price_token ?? ''
    let delivery = ctx.findDelivery(CARRIER, token)
    if (delivery && delivery.accountKey !== account.accountKey) throw new UuFailure('token')
    if (!delivery) {
      const quoted = ctx.redeemQuote(CARRIER, token)
      if (!quoted) throw new UuFailure('token')
      if (fenOf(fields.order_price) !== quoted.feeFen) throw new UuFailure('orderPrice')
      if (fenOf(fields.balance_paymoney) !== quoted.feeFen) throw new UuFailure('payMoney')
      if (!/^1\d{10}(_\d{1,6})?$/.test(fields.receiver_phone ?? '')) throw new UuFailure('phone')
      delivery = ctx.createDelivery({
        carrier: CARRIER,
        accountKey: account.accountKey,
        clientOrderId: token,
        quoteToken: token,
        feeFen: quoted.feeFen,
        from: quoted.input.from,
        to: quoted.input.to,
        city: quoted.input.city,
        extra: { originId: quoted.input.orderKey ?? '', callbackUrl: fields.callback_url ?? '' },
      }).delivery
    }
    return { ordercode: delivery.carrierOrderId, origin_id: String(delivery.extra.originId ?? '') }
  }

  #delivery(fields: Fields, account: SandboxAccount, ctx: EmulatorContext): SandboxDelivery {
    const delivery = ctx.findDelivery(CARRIER, fields.order_code ?? '')
    if (!delivery || delivery.accountKey !== account.accountKey) throw new UuFailure('order')
    return delivery
  }

  #ids(delivery: SandboxDelivery): Fields {
    return { order_code: delivery.carrierOrderId, origin_id: String(delivery.extra.originId ?? '') }
  }

  #penalty(delivery: SandboxDelivery, ctx: EmulatorContext): Fields {
    if (delivery.state === 'delivered' || delivery.state === 'cancelled')
      throw new UuFailure('state')
    return { ...this.#ids(delivery), deduct_fee: yuan(ctx.cancellationFeeFen(delivery)) }
  }

  #cancel(delivery: SandboxDelivery, fields: Fields, ctx: EmulatorContext): Fields {
    if (!fields.reason) throw new UuFailure('reason')
    ctx.cancelDelivery(delivery, fields.reason)
    return this.#ids(delivery)
  }

  #tip(delivery: SandboxDelivery, fields: Fields, ctx: EmulatorContext): Fields {
    ctx.addTip(delivery, fenOf(fields.onlinefee))
    return this.#ids(delivery)
  }

  #detail(delivery: SandboxDelivery, ctx: EmulatorContext): Fields {
    const [state, text] = STATE[delivery.state]
    const position = ctx.riderPosition(delivery)
    const rider = delivery.rider
    return {
      ...this.#ids(delivery),
      state,
      state_text: text,
      order_price: yuan(delivery.feeFen + delivery.tipFen),
      driver_name: rider?.name ?? '',
      driver_mobile: rider?.phone ?? '',
      driver_jobnum: rider?.id ?? '',
      driver_lastloc: position ? bd09Location(position) : '',
      timestamp: String(Math.floor(ctx.now().getTime() / 1000)),
    }
  }

  /** Answers carry appid, nonce_str and a signature over every field, as UU's do. */
  #json(status: number, account: SandboxAccount | null, fields: Fields): SandboxResponse {
    const body: Fields = { ...fields }
    if (account) {
      body.appid = account.accountKey
      body.nonce_str = createHash('md5').update(JSON.stringify(fields)).digest('hex')
      body.sign = uuSign(body, account.credentials.app_key ?? '')
    }
    return { status, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }
  }

  #fail(key: ErrorKey, account: SandboxAccount | null): SandboxResponse {
    return this.#json(200, account, { return_code: ERR[key][0], return_msg: ERR[key][1] })
  }

  /**
   * UU posts a JSON callback to the order's callback_url (else the account's), signed
   * with the request recipe over every non-empty field; timestamps in milliseconds.
   */
  callback(
    delivery: SandboxDelivery,
    account: SandboxAccount,
    at: Date,
    options: CallbackOptions
  ): SignedCallback | null {
    const url = String(delivery.extra.callbackUrl || account.callbackUrl || '')
    if (!url) return null
    const [state, text] = STATE[delivery.state]
    const rider = delivery.rider
    const fields: Fields = {
      appid: account.accountKey,
      nonce_str: createHash('md5')
        .update(`${delivery.carrierOrderId}:${options.eventSeq}`)
        .digest('hex')
        .slice(0, 16),
      // Carriers stamp pushes with their real clock, not the sandbox's fast one.
      timestamp: String((options.sentAt ?? at).getTime()),
      order_code: delivery.carrierOrderId,
      origin_id: String(delivery.extra.originId ?? ''),
      state,
      state_text: state === '-1' ? (delivery.cancellation?.reason ?? text) : text,
      driver_name: rider?.name ?? '',
      driver_mobile: rider?.phone ?? '',
      driver_jobnum: rider?.id ?? '',
      driver_photo: '',
      return_code: 'ok',
      return_msg: '',
    }
    const key = (account.credentials.app_key ?? '') + (options.forgeSignature ? '-forged' : '')
    return {
      url,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ ...fields, sign: uuSign(fields, key) }),
    }
  }
}

export default new UuEmulator()
