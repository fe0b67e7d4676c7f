/**
 * Shansong (闪送) emulator: `POST /shansong/openapi/merchants/v5/<call>`, form fields
 * `clientId, shopId, timestamp, sign, data`, answered as `{status, msg, data}` in fen
 * with BD-09 coordinates.
 *
 * The signature is re-implemented here from Shansong's documentation (not imported
 * from the plugin): `UPPER(MD5(appSecret + "clientId"+clientId + "data"+data +
 * "shopId"+shopId + "timestamp"+timestamp))`, the data segment left out when empty.
 *
 * Sandbox account: accountKey = clientId; credentials `app_secret`, `shop_id`.
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

const CARRIER = 'shansong'

/** Envelope `status` values this emulator answers with (the plugin's units.ts mirrors them). */
const ERR = {
  params: [400, '参数错误'],
  sign: [401, '签名错误'],
  forbidden: [403, 'shopId 与 clientId 不匹配'],
  notFound: [404, '订单不存在'],
  system: [500, '系统异常'],
  range: [30001, '超出服务范围'],
  capacity: [30002, '附近暂无闪送员，请稍后再试'],
  state: [30003, '当前订单状态不允许该操作'],
  expired: [30004, '订单已过期，请重新计费'],
} as const satisfies Record<string, readonly [number, string]>

type ErrorKey = keyof typeof ERR

/** orderStatus per sandbox state; null = Shansong has no code (it reports the previous one). */
const DISPATCHING: [number, string] = [20, '派单中']
const STATUS: Record<SandboxDeliveryState, [number, string] | null> = {
  waiting: DISPATCHING,
  accepted: [30, '待取货'],
  arrived: null,
  picked_up: [40, '闪送中'],
  delivering: null,
  delivered: [50, '已完成'],
  cancelled: [60, '已取消'],
}

export const SHANSONG_SANDBOX_ACCOUNT = {
  accountKey: 'sandbox-shansong-client',
  credentials: { app_secret: 'sandbox-shansong-secret-0001', shop_id: '20000000000099' },
}

type Data = Record<string, unknown>

class ShansongFailure extends Error {
  constructor(readonly key: ErrorKey) {
    super(ERR[key][1])
  }
}

export interface SystemParams {
  clientId: string
  shopId: string
  timestamp: string
  data: string
}

/** Exported for the signature test vectors only. */
export function shansongSign(secret: string, params: SystemParams): string {
  const dataPart = params.data ? `data${params.data}` : ''
  const plain = `${secret}clientId${params.clientId}${dataPart}shopId${params.shopId}timestamp${params.timestamp}`
  return createHash('md5').update(plain, 'utf8').digest('hex').toUpperCase()
}

function json(status: number, body: unknown): SandboxResponse {
  return { status, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }
}

const ok = (data: unknown) => json(200, { status: 200, msg: 'success', data })
const fail = (key: ErrorKey) => json(200, { status: ERR[key][0], msg: ERR[key][1], data: null })

/** "yyyy-MM-dd HH:mm:ss" in Beijing time (UTC+8, no DST). */
const beijing = (date: Date) =>
  new Date(date.getTime() + 8 * 3_600_000).toISOString().slice(0, 19).replace('T', ' ')

function fromBd09(lat: unknown, lng: unknown) {
  const parsed = { lat: Number(lat), lng: Number(lng) }
  if (!Number.isFinite(parsed.lat) || !Number.isFinite(parsed.lng))
    throw new ShansongFailure('params')
  return bd09ToGcj02(parsed)
}

function toBd09(point: { lat: number; lng: number }) {
  const bd = gcj02ToBd09(point)
  return { latitude: bd.lat.toFixed(6), longitude: bd.lng.toFixed(6) }
}

function courierOf(delivery: SandboxDelivery, at: Date): Data | undefined {
  const rider = delivery.rider
  if (!rider) return undefined
  return {
    id: rider.id,
    name: rider.name,
    mobile: rider.phone,
    ...toBd09(rider),
    gcj02Lat: rider.lat.toFixed(6),
    gcj02Lng: rider.lng.toFixed(6),
    time: beijing(at),
  }
}

export class ShansongEmulator implements CarrierEmulator {
  readonly carrier = CARRIER

  defaultAccount() {
    return {
      accountKey: SHANSONG_SANDBOX_ACCOUNT.accountKey,
      credentials: { ...SHANSONG_SANDBOX_ACCOUNT.credentials },
    }
  }

  errorResponse(kind: SandboxErrorKind): SandboxResponse {
    return json(kind === 'unavailable' ? 503 : 500, {
      status: ERR.system[0],
      msg: ERR.system[1],
      data: null,
    })
  }

  handle(request: SandboxRequest, ctx: EmulatorContext): SandboxResponse {
    const call = /^\/openapi\/merchants\/v5\/([A-Za-z]+)$/.exec(request.path)?.[1]
    if (request.method !== 'POST' || !call)
      return json(404, { status: 404, msg: 'not found', data: null })
    const form = new URLSearchParams(request.rawBody)
    const params: SystemParams = {
      clientId: form.get('clientId') ?? '',
      shopId: form.get('shopId') ?? '',
      timestamp: form.get('timestamp') ?? '',
      data: form.get('data') ?? '',
    }
    const account = ctx.account(CARRIER, params.clientId)
    if (!account || !params.timestamp) return fail('sign')
    if ((form.get('sign') ?? '') !== shansongSign(account.credentials.app_secret ?? '', params)) {
      return fail('sign')
    }
    if (params.shopId !== account.credentials.shop_id) return fail('forbidden')
    try {
      const data: Data = params.data ? JSON.parse(params.data) : {}
      return ok(this.#route(call, data, account, ctx))
    } catch (error) {
      if (error instanceof ShansongFailure) return fail(error.key)
      if (error instanceof DeliveryStateError) return fail('state')
      if (error instanceof SyntaxError || error instanceof RangeError) return fail('params')
      throw error
    }
  }

  #route(call: string, data: Data, account: SandboxAccount, ctx: EmulatorContext): unknown {
    switch (call) {
      case 'orderCalculate':
        return this.#calculate(data, ctx)
      case 'orderPlace':
        return this.#place(data, account, ctx)
      case 'preAbortOrder':
        return this.#preAbort(this.#delivery(data, account, ctx), ctx)
      case 'abortOrder':
        return this.#abort(this.#delivery(data, account, ctx), ctx)
      case 'addition':
        return this.#addition(this.#delivery(data, account, ctx), data, ctx)
      case 'orderInfo':
        return this.#info(this.#delivery(data, account, ctx), ctx)
      case 'courierInfo':
        return this.#courier(this.#delivery(data, account, ctx), ctx)
      default:
        throw new ShansongFailure('params')
    }
  }

  /** The quote's orderNumber is the market token; the third-party orderNo keys its randomness. */
  #calculate(data: Data, ctx: EmulatorContext): Data {
    const sender = data.sender as Data | undefined
    const receiver = (data.receiverList as Data[] | undefined)?.[0]
    if (!sender || !receiver || !data.cityName) throw new ShansongFailure('params')
    const weightKg = Math.max(1, Number(receiver.weight) || 1)
    const quote = ctx.quote({
      carrier: CARRIER,
      city: String(data.cityName),
      from: fromBd09(sender.fromLatitude, sender.fromLongitude),
      to: fromBd09(receiver.toLatitude, receiver.toLongitude),
      weightG: weightKg * 1000,
      at: ctx.now(),
      orderKey: receiver.orderNo ? String(receiver.orderNo) : undefined,
    })
    if (!quote.ok) throw new ShansongFailure(quote.reason === 'no_capacity' ? 'capacity' : 'range')
    return {
      totalDistance: quote.distanceM,
      totalWeight: weightKg,
      orderNumber: quote.token,
      feeInfoList: [{ type: 1, des: '里程费', fee: quote.feeFen }],
      totalAmount: quote.feeFen,
      couponSaveFee: 0,
      totalFeeAfterSave: quote.feeFen,
      estimateGrabSecond: quote.pickupEtaS,
      estimateReceiveSecond: quote.dropoffEtaS,
    }
  }

  /** issOrderNo is the retry key: placing it again returns the order already placed. */
  #place(data: Data, account: SandboxAccount, ctx: EmulatorContext): Data {
    const issOrderNo = String(data.issOrderNo ?? '')
    let delivery = ctx.findDelivery(CARRIER, issOrderNo)
    if (delivery && delivery.accountKey !== account.accountKey)
      throw new ShansongFailure('notFound')
    if (!delivery) {
      const quoted = ctx.redeemQuote(CARRIER, issOrderNo)
      if (!quoted) throw new ShansongFailure('expired')
      delivery = ctx.createDelivery({
        carrier: CARRIER,
        accountKey: account.accountKey,
        clientOrderId: issOrderNo,
        carrierOrderId: issOrderNo,
        quoteToken: issOrderNo,
        feeFen: quoted.feeFen,
        from: quoted.input.from,
        to: quoted.input.to,
        city: quoted.input.city,
        extra: { thirdOrderNo: quoted.input.orderKey ?? '', distanceM: quoted.distanceM },
      }).delivery
    }
    return {
      orderNumber: delivery.carrierOrderId,
      totalDistance: Number(delivery.extra.distanceM ?? 0),
      totalAmount: delivery.feeFen,
      couponSaveFee: 0,
      totalFeeAfterSave: delivery.feeFen,
      orderInfoList: [{ orderNo: String(delivery.extra.thirdOrderNo ?? '') }],
    }
  }

  #delivery(data: Data, account: SandboxAccount, ctx: EmulatorContext): SandboxDelivery {
    const delivery = ctx.findDelivery(CARRIER, String(data.issOrderNo ?? ''))
    if (!delivery || delivery.accountKey !== account.accountKey)
      throw new ShansongFailure('notFound')
    return delivery
  }

  #preAbort(delivery: SandboxDelivery, ctx: EmulatorContext): Data {
    if (delivery.state === 'delivered' || delivery.state === 'cancelled')
      throw new ShansongFailure('state')
    return { deductAmount: ctx.cancellationFeeFen(delivery), abortType: 1, punishType: 0 }
  }

  #abort(delivery: SandboxDelivery, ctx: EmulatorContext): Data {
    const { feeFen } = ctx.cancelDelivery(delivery, '商家取消')
    return {
      sendBackFee: 0,
      deductAmount: feeFen,
      abortType: 1,
      punishType: 0,
      abortReason: '商家取消',
    }
  }

  /** 加价: whole yuan in fen, at most 100 yuan per call. */
  #addition(delivery: SandboxDelivery, data: Data, ctx: EmulatorContext): null {
    const amount = Number(data.additionAmount)
    if (!Number.isInteger(amount) || amount <= 0 || amount % 100 !== 0 || amount > 10_000) {
      throw new ShansongFailure('params')
    }
    ctx.addTip(delivery, amount)
    return null
  }

  #info(delivery: SandboxDelivery, ctx: EmulatorContext): Data {
    const current = this.#reported(delivery)
    const log = delivery.history.flatMap((entry) => {
      const status = STATUS[entry.state]
      return status ? [{ orderStatus: status[0], updateTime: beijing(entry.at) }] : []
    })
    const courier = courierOf(delivery, ctx.now())
    return {
      orderNo: String(delivery.extra.thirdOrderNo ?? ''),
      orderStatus: current[0],
      orderStatusDesc: current[1],
      ...(courier ? { courier } : {}),
      statusChangeLog: log,
      ...(delivery.cancellation
        ? {
            abortInfo: {
              deductAmount: delivery.cancellation.feeFen,
              abortReason: delivery.cancellation.reason,
            },
          }
        : {}),
      totalAmount: delivery.feeFen + delivery.tipFen,
      totalFeeAfterSave: delivery.feeFen + delivery.tipFen,
    }
  }

  /** The courier's position in BD-09 only; orderInfo adds Shansong's GCJ-02 copy. */
  #courier(delivery: SandboxDelivery, ctx: EmulatorContext): Data {
    const position = ctx.riderPosition(delivery)
    if (!position || !delivery.rider) throw new ShansongFailure('state')
    return {
      id: delivery.rider.id,
      name: delivery.rider.name,
      mobile: delivery.rider.phone,
      ...toBd09(position),
      time: beijing(position.at),
    }
  }

  /** The last code Shansong has for the delivery (arrived/delivering keep the previous one). */
  #reported(delivery: SandboxDelivery): [number, string] {
    for (let index = delivery.history.length - 1; index >= 0; index--) {
      const status = STATUS[delivery.history[index].state]
      if (status) return status
    }
    return DISPATCHING
  }

  /**
   * Callbacks use the request envelope: a form with the system parameters, `sign`
   * and `data` (the changed order), signed with the same recipe.
   */
  callback(
    delivery: SandboxDelivery,
    account: SandboxAccount,
    at: Date,
    options: CallbackOptions
  ): SignedCallback | null {
    const status = STATUS[delivery.state]
    if (!account.callbackUrl || !status) return null
    const courier = courierOf(delivery, at)
    const data = JSON.stringify({
      issOrderNo: delivery.carrierOrderId,
      orderNo: String(delivery.extra.thirdOrderNo ?? ''),
      status: status[0],
      statusDesc: status[1],
      // Carriers stamp pushes with their real clock, not the sandbox's fast one.
      updateTime: beijing(options.sentAt ?? at),
      ...(courier ? { courier } : {}),
      ...(delivery.cancellation ? { abortReason: delivery.cancellation.reason } : {}),
    })
    const params: SystemParams = {
      clientId: account.accountKey,
      shopId: account.credentials.shop_id ?? '',
      timestamp: String((options.sentAt ?? at).getTime()),
      data,
    }
    const secret =
      (account.credentials.app_secret ?? '') + (options.forgeSignature ? '-forged' : '')
    const form = new URLSearchParams({ ...params, sign: shansongSign(secret, params) })
    return {
      url: account.callbackUrl,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: form.toString(),
    }
  }
}

export default new ShansongEmulator()
