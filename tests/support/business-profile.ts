/** A shop's WhatsApp Business profile, as a phone of the simulated network or wa-sim is given it. */
export const SHOP_PROFILE = {
  about: 'Buka setiap hari',
  business: {
    description: 'Kopi dan roti',
    category: 'Bakery',
    email: 'halo@example.com',
    website: 'https://example.com',
    address: 'Jl. Merdeka 1',
  },
};
