/**
 * How the specs move deliveries by hand, and which rider holds one after each move.
 * Carriers report riders differently (some only on first acceptance, some per
 * reassignment), so each spec picks the rule its assertions are written against.
 */
import type { SandboxDelivery, SandboxDeliveryState, SandboxRider } from '#sandbox/emulator'
import { NOW, type MoveDelivery } from '#tests/unit/sandbox_carriers/support/fake_market'

/** The riders the Dada, Fengniao and Meituan specs expect: the first, then a replacement. */
export const FIRST_RIDER: SandboxRider = {
  id: '20001',
  name: '张三',
  phone: '13700003333',
  lat: 31.1899,
  lng: 121.437,
}
export const SECOND_RIDER: SandboxRider = {
  id: '20002',
  name: '李四',
  phone: '13700004444',
  lat: 31.1899,
  lng: 121.437,
}

/** A mover: sets the state, lets `assignRider` pick the rider, then records the step. */
export function mover(
  assignRider: (delivery: SandboxDelivery, state: SandboxDeliveryState) => void
): MoveDelivery {
  return (delivery, state, at = NOW) => {
    delivery.state = state
    assignRider(delivery, state)
    delivery.history.push({ state, at, rider: delivery.rider })
  }
}

/** Every acceptance hands the order to this rider. */
export function riderOnAcceptance(rider: SandboxRider): MoveDelivery {
  return mover((delivery, state) => {
    if (state === 'accepted') delivery.rider = { ...rider }
  })
}

/** A re-dispatch drops the rider; the next acceptance brings the second one. */
export function reassignedRiders(first: SandboxRider, second: SandboxRider): MoveDelivery {
  return mover((delivery, state) => {
    if (state === 'waiting') delivery.rider = null
    if (state === 'accepted' && !delivery.rider) {
      const again = delivery.history.some((entry) => entry.state === 'accepted')
      delivery.rider = again ? { ...second } : { ...first }
    }
  })
}
