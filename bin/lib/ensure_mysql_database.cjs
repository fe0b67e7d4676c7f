// Creates the MySQL database the tests use when it does not exist yet, and says
// clearly when the server cannot be reached (a MySQL run is never skipped).
const mysql = require('mysql2/promise')

const name = process.env.MYSQL_DB_NAME || 'test'
mysql
  .createConnection({
    host: process.env.MYSQL_HOST || '127.0.0.1',
    port: Number(process.env.MYSQL_PORT || 3306),
    user: process.env.MYSQL_USER || 'root',
    password: process.env.MYSQL_PASSWORD || '',
  })
  .then(async (connection) => {
    const [rows] = await connection.query('select version() as v')
    await connection.query(`create database if not exists \`${name.replace(/`/g, '``')}\``)
    console.error(`MySQL ${rows[0].v}, database ${name}`)
    await connection.end()
  })
  .catch((error) => {
    console.error(`MySQL is not reachable: ${error.message}`)
    process.exit(1)
  })
