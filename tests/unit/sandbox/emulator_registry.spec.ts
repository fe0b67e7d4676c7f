import { test } from '@japa/runner'
import { SandboxCore } from '#sandbox/core'
import { isCarrierEmulator, loadEmulators } from '#sandbox/emulator_registry'
import { ownFleetEmulator } from '#sandbox/carriers/own_fleet'

test.group('Sandbox | emulator registry', () => {
  test('every registered emulator loads, once per carrier, with a default account', async ({
    assert,
  }) => {
    const emulators = await loadEmulators()
    const carriers = emulators.map((emulator) => emulator.carrier)
    assert.include(carriers, 'own_fleet')
    assert.lengthOf(new Set(carriers), carriers.length)
    const core = new SandboxCore({ seed: 1, speed: 0, emulators })
    try {
      for (const carrier of carriers) {
        assert.isAbove(
          core.accounts.list(carrier).length,
          0,
          `${carrier} declares a default account`
        )
      }
    } finally {
      core.stop()
    }
  })

  test('a module may export its emulator by default or by name; two for one carrier are refused', async ({
    assert,
  }) => {
    const byName = await loadEmulators([async () => ({ something: 1, fleet: ownFleetEmulator })])
    assert.deepEqual(byName, [ownFleetEmulator])
    await assert.rejects(
      () =>
        loadEmulators([
          async () => ({ default: ownFleetEmulator }),
          async () => ({ default: ownFleetEmulator }),
        ]),
      /Two emulators claim carrier "own_fleet"/
    )
    await assert.rejects(
      () => loadEmulators([async () => ({ default: {} })]),
      /exports no CarrierEmulator/
    )
    assert.isFalse(isCarrierEmulator({ carrier: 'x' }))
  })
})
