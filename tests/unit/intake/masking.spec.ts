import { test } from '@japa/runner'
import { maskAddress, maskName, maskPhone } from '#services/masking'
import { Logger } from '@adonisjs/core/logger'
import loggerConfig from '#config/logger'

test.group('Masking', () => {
  test('mobile numbers keep the first 3 and last 4 digits', ({ assert }) => {
    assert.equal(maskPhone('13812345678'), '138****5678')
  })

  test('landlines keep the area code and last 4 digits', ({ assert }) => {
    assert.equal(maskPhone('010-65290000'), '010****0000')
    assert.equal(maskPhone('02112345678'), '021****5678')
  })

  test('addresses hide every house, building and room number', ({ assert }) => {
    assert.equal(
      maskAddress('北京市朝阳区光华路9号院3号楼1502室'),
      '北京市朝阳区光华路*号院*号楼****室'
    )
    assert.equal(maskAddress('Room 1502, 9 Guanghua Rd'), 'Room ****, * Guanghua Rd')
    assert.equal(maskAddress('望京ＳＯＨＯ１２层'), '望京ＳＯＨＯ**层')
  })

  test('names keep only the family name', ({ assert }) => {
    assert.equal(maskName('张三'), '张*')
    assert.equal(maskName('欧阳娜娜'), '欧***')
    assert.equal(maskName('X'), '*')
  })

  test('the app logger configuration redacts recipient phone and address', ({ assert }) => {
    const lines: string[] = []
    const destination = { write: (line: string) => lines.push(line) }
    const testLogger = new Logger({
      ...loggerConfig.loggers.app,
      enabled: true,
      level: 'info',
      transport: undefined,
      destination,
    })

    testLogger.info(
      { order: { recipient: { phone: '13812345678', address: '光华路9号1502室', city: '北京' } } },
      'order received'
    )

    assert.lengthOf(lines, 1)
    assert.notInclude(lines[0], '13812345678')
    assert.notInclude(lines[0], '1502')
    assert.include(lines[0], '北京')
  })
})
