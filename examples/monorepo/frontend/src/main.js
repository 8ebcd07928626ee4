const res = await fetch('/api/photos');
const photos = await res.json();
document.querySelector('#app').innerHTML = photos.map((p) => `<figure>${p.title}</figure>`).join('');
